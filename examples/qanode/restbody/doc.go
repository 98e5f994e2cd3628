// Package restbody owns what the QA node (examples/qanode) reads from a REST
// request: the strict JSON decoding of a body, shard references (an index
// or a pubsub topic of the node's cluster), the publish and protect bodies,
// and Error, the refusal with the HTTP status it answers.
//
// It does not serve HTTP, write answers, publish or protect anything: the
// node does, with what these decoders return. It imports no libp2p, so its
// fuzz target (network input: any client may send any body) builds in
// seconds rather than minutes.
package restbody
