// Package simdiscv5 runs go-ethereum discv5 listeners (p2p/discover, with the
// Waku protocol id "d5waku") on the hosts of an internal/simhost network, so
// that integration tests discover peers with the real discv5 protocol on the
// simulated network, in virtual time inside a testing/synctest bubble.
//
// Each listener gets its own simulated UDP socket (simhost.Network.ListenUDP)
// on its host's IP at a port of its own, a fresh in-memory node database and
// a local ENR holding the IP, the discv5 UDP port and the host's QUIC port;
// the caller adds the Waku entries (rs/rsv, waku2) with a Config.Record
// function. A host's libp2p identity must be the listener's secp256k1 key for
// the peer id derived from the ENR to be the host's: build the network
// WithIdentities.
//
// Two things make discv5 run inside a bubble: the socket is simulated (no
// real UDP, which would block outside the bubble), and the listener's clock
// reads package time (discovery.TimeClock) instead of go-ethereum's default
// mclock.System, whose Now reads the runtime's monotonic clock that synctest
// does not fake. A third thing must be avoided: go-ethereum's LocalNode
// sleeps for up to a millisecond while holding its mutex when its record
// changes twice within a millisecond, which hangs a bubble whenever a
// listener goroutine waits for that mutex meanwhile; Listen signs the
// record before the listener starts and Node.Update spaces changes, so that
// never happens. Every goroutine a listener starts (go-ethereum's table,
// read and dispatch loops, lookups, the node database's) starts in the
// bubble and ends on Close.
//
// The package does not filter or convert records (peermanager/discovery
// does) and does not decide topology beyond the bootstrap nodes it is given.
package simdiscv5
