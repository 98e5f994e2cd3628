// Package service owns what a node's light-client services (filter v2 and
// light push, in service/filter and service/lightpush) share: the Scope of
// shards a node serves and how a request's pubsub topic and content topics
// resolve to shards of that scope, with typed errors a server maps to its
// protocol's status codes; and the stream handlers' common steps, reading a
// request frame under a deadline (ReadRequest) and answering a refused slot
// admission (AdmissionRefusal).
//
// It links no libp2p (a Stream is the part of a libp2p stream it uses) and
// decides no admission (package slots does) nor any protocol's answer
// beyond those steps (the servers do).
package service
