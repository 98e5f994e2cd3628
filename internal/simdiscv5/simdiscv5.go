package simdiscv5

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager/discovery"
)

// DefaultPort is the UDP port listeners use when Config.Port is zero. It
// differs from simhost.DefaultPort, the hosts' QUIC port.
const DefaultPort = 9000

// Config says how to start one listener.
type Config struct {
	// Key is the node's secp256k1 key, also its libp2p identity (see
	// WithIdentities). Required.
	Key *ecdsa.PrivateKey
	// Port is the discv5 UDP port; zero means DefaultPort.
	Port int
	// Bootnodes are the records the listener starts from.
	Bootnodes []*enode.Node
	// Record adds entries to the local ENR before the listener starts (the
	// Waku rs/rsv and waku2 entries, for example). Optional.
	Record func(*enode.LocalNode) error
}

// Node is a discv5 listener on one simulated host.
type Node struct {
	// Listener is go-ethereum's discv5 listener.
	Listener *discover.UDPv5
	// Local is the listener's local node; its record can still change.
	Local *enode.LocalNode
	// Conn is the listener's simulated UDP socket (see its Stats).
	Conn *simhost.UDPConn

	db       *enode.DB
	updating chan struct{} // one Update at a time; a channel, not a mutex (see Update)
}

// Listen starts a discv5 listener on host i of nw. The caller closes it.
func Listen(nw *simhost.Network, i int, cfg Config) (*Node, error) {
	if cfg.Key == nil {
		return nil, errors.New("simdiscv5: nil key")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	quicPort, err := quicPort(nw.Node(i))
	if err != nil {
		return nil, err
	}
	conn, err := nw.ListenUDP(i, cfg.Port)
	if err != nil {
		return nil, fmt.Errorf("simdiscv5: host %d: %w", i, err)
	}
	db, err := enode.OpenDB("") // in memory
	if err != nil {
		return nil, errors.Join(fmt.Errorf("simdiscv5: host %d: node database: %w", i, err), conn.Close())
	}
	ln := enode.NewLocalNode(db, cfg.Key)
	ln.SetStaticIP(net.IP(conn.AddrPort().Addr().AsSlice()))
	// The fallback port, not an "udp" entry: LocalNode rewrites the udp
	// entry from its endpoint predictor on every PONG, and with a static IP
	// and no fallback it would delete it.
	ln.SetFallbackUDP(cfg.Port)
	ln.Set(enr.QUIC(quicPort))
	if cfg.Record != nil {
		if err := cfg.Record(ln); err != nil {
			db.Close()
			return nil, errors.Join(fmt.Errorf("simdiscv5: host %d: record: %w", i, err), conn.Close())
		}
	}
	// Sign now, while no listener goroutine can wait for it (see Update).
	ln.Node()
	l, err := discovery.ListenV5(conn, ln, cfg.Key, discover.Config{Bootnodes: cfg.Bootnodes})
	if err != nil {
		db.Close()
		return nil, errors.Join(fmt.Errorf("simdiscv5: host %d: %w", i, err), conn.Close())
	}
	n := &Node{Listener: l, Local: ln, Conn: conn, db: db, updating: make(chan struct{}, 1)}
	return n, nil
}

// quicPort returns the UDP port of the host's QUIC listen address.
func quicPort(n *simhost.Node) (uint16, error) {
	for _, a := range n.Host.Addrs() {
		if _, err := a.ValueForProtocol(multiaddr.P_QUIC_V1); err != nil {
			continue
		}
		s, err := a.ValueForProtocol(multiaddr.P_UDP)
		if err != nil {
			continue
		}
		var port uint16
		if _, err := fmt.Sscan(s, &port); err == nil {
			return port, nil
		}
	}
	return 0, fmt.Errorf("simdiscv5: host %d has no QUIC address", n.Index)
}

// Record returns the listener's current signed record.
func (n *Node) Record() *enode.Node { return n.Local.Node() }

// Update changes the local record while the listener runs (new shards, for
// example): f sets one entry of ln; Update then signs the new record.
//
// Why not ln.Set directly: go-ethereum's LocalNode.Node signs a changed
// record at most once per millisecond and sleeps out the rest of that
// millisecond while it holds the LocalNode's mutex. Inside a synctest bubble
// a listener goroutine waiting for that mutex is not durably blocked, so
// virtual time cannot advance, the sleep never ends and the bubble hangs.
// Update first lets a millisecond pass since the last signing, so that the
// signing that follows f's change never sleeps. f must therefore make one
// change (a Delete of an absent key is none): between two changes a
// listener goroutine may sign, and the second signing would sleep. Call
// Update once per entry to change several.
func (n *Node) Update(f func(ln *enode.LocalNode) error) error {
	n.updating <- struct{}{}
	defer func() { <-n.updating }()
	time.Sleep(time.Millisecond) // go-ethereum's recordUpdateThrottle
	if err := f(n.Local); err != nil {
		return fmt.Errorf("simdiscv5: record update: %w", err)
	}
	n.Local.Node()
	return nil
}

// DatabaseDrain is how long a goroutine of the node database outlives Close:
// goleveldb's memory-pool drainer waits up to a second (leveldb/db_state.go
// mpoolDrain). Inside a synctest bubble, sleep this long after closing the
// last node, or the bubble's function returns with that goroutine blocked
// and synctest panics; outside a bubble, ignore that goroutine in goleak.
const DatabaseDrain = time.Second

// Close stops the listener (which closes its socket) and its node database
// (see DatabaseDrain). It is idempotent.
func (n *Node) Close() {
	n.Listener.Close() // idempotent; closes Conn
	n.db.Close()       // idempotent
}

// Key derives host i's secp256k1 key from seed, the same from run to run.
func Key(seed uint64, i int) (*ecdsa.PrivateKey, error) {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:8], seed)
	binary.LittleEndian.PutUint64(s[8:16], uint64(i))
	rng := rand.NewChaCha8(s)
	// Rejection sampling: a random 32-byte string is a valid scalar
	// (below the curve order, not zero) with probability ~1 - 2^-128.
	for {
		var b [32]byte
		_, _ = rng.Read(b[:]) // never fails
		if k, err := ethcrypto.ToECDSA(b[:]); err == nil {
			return k, nil
		}
	}
}

// Identity returns the libp2p form of a secp256k1 key.
func Identity(key *ecdsa.PrivateKey) (p2pcrypto.PrivKey, error) {
	k, err := p2pcrypto.UnmarshalSecp256k1PrivateKey(ethcrypto.FromECDSA(key))
	if err != nil {
		return nil, fmt.Errorf("simdiscv5: libp2p key: %w", err)
	}
	return k, nil
}

// NetworkOptions are the simhost options discv5 hosts need: the libp2p
// identity Key(seed, i) for host i (WithIdentities), and an address in a /24
// of its own (simhost.OwnSubnet), as go-ethereum's table takes few nodes
// from one /24.
func NetworkOptions(seed uint64) []simhost.Option {
	return []simhost.Option{WithIdentities(seed), simhost.WithAddresses(simhost.OwnSubnet)}
}

// WithIdentities gives host i the libp2p identity Key(seed, i), so that a
// listener started with that key advertises the host's peer id.
func WithIdentities(seed uint64) simhost.Option {
	return simhost.WithIdentity(func(i int) (p2pcrypto.PrivKey, error) {
		k, err := Key(seed, i)
		if err != nil {
			return nil, err
		}
		return Identity(k)
	})
}
