// Command simulate compares relay peer-management policies at scale: does a
// peer manager keep every shard healthy, at what connection and bandwidth
// cost, and how does it compare with nwaku's and go-waku's policies?
//
//	go run ./examples/simulate                 # the default scenario, all three policies
//	go run ./examples/simulate -h              # every flag
//	go run ./examples/simulate -nodes 300 -shards 128 -subs 1-100 -plot heavy.svg
//
// What runs: N real go-libp2p hosts with real GossipSub (Waku relay
// parameters, the /vac/waku/relay/2.0.0 protocol id, SHA-256 message ids)
// on go-libp2p's x/simlibp2p simulated network (QUIC over
// github.com/marcopolo/simnet, per-node link rate and latency), in virtual
// time: the whole program runs inside a testing/synctest bubble entered
// through package bubble, so two virtual minutes take seconds. Each honest
// node runs peermanager.Manager with the policy under test — WakupmPreset,
// NwakuPreset or GoWakuPreset, the same shell and core for all three — plus
// a shardmesh.Tracker feeding it mesh health, and a metrics.BandwidthTracer.
// A "static" baseline without a manager is also available. -max-conns is a
// hard limit for every policy (a connection gater refuses dials and inbound
// connections beyond it, as nim-libp2p's maxConnections does); each policy
// decides whom to keep under it.
//
// Discovery is an oracle standing in for discv5 (see discovery.go): a lookup
// returns, after one virtual second, random records of nodes advertising the
// requested shard, including records of nodes that left in the last two
// minutes. Real discv5 over simnet would need a UDP adapter and would
// dominate the CPU at thousands of nodes, while what peer management reacts
// to — which candidates a lookup yields — is reproduced. Every node also
// starts with three bootstrap peers and looks up four peers per shard every
// 30 s, whatever the policy.
//
// What is measured is the simulator's own ground truth, not the library's
// view: a RawTracer per node (probe.go) follows the gossipsub mesh of every
// topic and the first delivery of every message. A (node, subscribed shard)
// pair is SufficientlyHealthy with >= 4 mesh peers (Dlo), MinimallyHealthy
// with 1-3. Reported per policy: time to 95 % and 100 % sufficiently healthy
// pairs, the final fractions, the worst shard, connections per node, dials
// and disconnects (by reason), gossipsub bytes per node by message type and
// per shard, delivery ratio and latency. Output: a progress line on stderr,
// a table (or -json: one object per policy) on stdout, and -plot, an SVG
// chart of the healthy fraction over virtual time. With -telemetry URL or
// -telemetry-file, every honest node also makes a metrics/telemetry report
// every -telemetry-interval (gossipsub bytes by message type and shard,
// relay and mesh figures per shard); after the run they are POSTed to the
// service (examples/telemetryd) or written one request per line for
// telemetryd -import.
//
// Each (policy, run) runs in its own synctest bubble; by default the three
// policies run side by side in three processes (the command re-executes
// itself, -procs), since one run uses a little more than one core.
//
// Reproducibility: the seed fixes the scenario (subscriptions, bootstrap
// peers, churn, adversaries, message schedule; Generate is a pure function
// tested for it). Real gossipsub on a simulated network is not bit-for-bit
// repeatable — its own randomness and goroutine scheduling differ run to
// run — so -repeat N runs the scenario N times per policy and reports the
// mean with the [min-max] spread.
//
// Adversaries: -sybils N nodes share one IP address, dial as many honest
// nodes as they can and all leave at once (-sybil-leave); -liars N nodes
// advertise every shard in discovery and metadata but join no topic.
package main
