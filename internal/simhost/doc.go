// Package simhost builds networks of real go-libp2p hosts running real
// GossipSub with Waku relay parameters on go-libp2p's simulated network
// (x/simlibp2p over github.com/marcopolo/simnet: QUIC over a virtual UDP
// network), for integration tests and simulations.
//
// Run it inside a testing/synctest bubble to get virtual time: a minute of
// gossipsub heartbeats then costs milliseconds of wall time, and the bubble
// detects leaked goroutines. Outside a bubble it still works, in real time.
//
//	synctest.Test(t, func(t *testing.T) {
//		nw := simhost.NewT(t, 12, simhost.WithPubsubOptions(func(i int) []pubsub.Option {
//			return []pubsub.Option{tracers[i].Option()}
//		}))
//		if err := nw.ConnectRandom(t.Context(), 4, rand.New(rand.NewPCG(1, 2))); err != nil {
//			t.Fatal(err)
//		}
//		time.Sleep(5 * time.Second) // virtual: five heartbeats
//	})
//
// Each host gets its own public IPv4 address by default; WithAddresses (for
// example with SharedIP) puts several hosts behind one IP for Sybil tests.
// Links are shaped per host (WithLink, WithLatency or WithLatencyFunc).
//
// Teardown order matters inside a bubble: Network.Close cancels every pubsub
// context, then closes the hosts, then the simulated network; otherwise
// goroutines stay blocked and synctest panics. NewT registers Close with
// t.Cleanup, which runs inside the bubble.
//
// The package does not decide topology beyond the Connect helpers, does not
// join topics for you and knows nothing about shards; GossipSub options come
// from internal/wakugossip.
package simhost
