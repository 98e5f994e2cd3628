package discovery

import (
	"crypto/ecdsa"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/shardmesh"
	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

// record describes a test ENR.
type record struct {
	cluster   uint16
	shards    []uint16 // none: no rs
	caps      shardmesh.Capabilities
	noWaku2   bool
	tcp       int // 0: no ip/tcp
	multiaddr []string
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// setWaku writes the Waku entries of rec into r.
func setWaku(t testing.TB, r *enr.Record, rec record) {
	t.Helper()
	if len(rec.shards) > 0 {
		if err := wakuenr.SetRelayShards(r, wakuenr.RelayShards{Cluster: rec.cluster, Indices: rec.shards}); err != nil {
			t.Fatal(err)
		}
	}
	if !rec.noWaku2 {
		r.Set(wakuenr.Waku2(rec.caps))
	}
	if len(rec.multiaddr) > 0 {
		var ms wakuenr.Multiaddrs
		for _, s := range rec.multiaddr {
			ms = append(ms, multiaddr.StringCast(s))
		}
		r.Set(ms)
	}
}

func (rec record) node(t testing.TB) (*enode.Node, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	var r enr.Record
	if rec.tcp != 0 {
		r.Set(enr.IPv4{127, 0, 0, 1})
		r.Set(enr.TCP(rec.tcp))
	}
	setWaku(t, &r, rec)
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n, key
}

func set(t testing.TB, idx ...uint16) shardmesh.ShardSet {
	t.Helper()
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func collect(ch <-chan Candidate) []Candidate {
	var out []Candidate
	for c := range ch {
		out = append(out, c)
	}
	return out
}
