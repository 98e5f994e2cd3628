// Package gossipsub owns the go-libp2p-pubsub (v0.19) side of the mesh
// health tracker: Tracer, the RawTracer that feeds a shardmesh.Tracker, and
// BusEmitter, which republishes its health changes on a libp2p event bus.
//
// It holds no state of its own: the Tracker (package shardmesh, pure) keeps
// it. Peer ids cross the boundary as peerid.ID(p), a free conversion. A node
// on another libp2p or pubsub version writes its own shell of the same few
// calls (see package shardmesh) instead of importing this package.
//
//	tracker, _ := shardmesh.NewTracker(shardmesh.WithCluster(cluster))
//	tracer, _ := gossipsub.NewTracer(tracker, gossipsub.WithNetwork(h.Network()))
//	defer tracer.Close()
//	ps, _ := pubsub.NewGossipSub(ctx, h, tracer.Option())
//	emitter, _ := gossipsub.NewBusEmitter(tracker, h.EventBus())
//	defer emitter.Close()
//
// WithNetwork matters: gossipsub reports a peer gone only if it had opened
// a stream to it, and the tracer forgets the other peers when their last
// connection closes. The Tracker's cap (shardmesh.WithMaxPeers) is the
// backstop. Remote input is bounded: at most WithMaxSubscriptionsPerRPC
// subscriptions are read from one RPC.
package gossipsub
