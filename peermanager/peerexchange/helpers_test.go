package peerexchange

import (
	"crypto/ecdsa"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/wakupm/wakupm/shardmesh"
	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

// signedNode returns a Waku node record on cluster with the given shards and
// capabilities, signed with a fresh key.
func signedNode(t testing.TB, cluster uint16, caps shardmesh.Capabilities, shards ...uint16) (*enode.Node, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var r enr.Record
	r.Set(enr.IPv4{127, 0, 0, 1})
	r.Set(enr.TCP(60000))
	if len(shards) > 0 {
		if err := wakuenr.SetRelayShards(&r, wakuenr.RelayShards{Cluster: cluster, Indices: shards}); err != nil {
			t.Fatal(err)
		}
	}
	if caps != 0 {
		r.Set(wakuenr.Waku2(caps))
	}
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n, key
}

func rawENR(t testing.TB, n *enode.Node) []byte {
	t.Helper()
	b, err := rlp.EncodeToBytes(n.Record())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// badSignature returns the RLP of n's record with one signature byte flipped.
func badSignature(t testing.TB, n *enode.Node) []byte {
	t.Helper()
	b := rawENR(t, n)
	// The record is rlp([signature, seq, k, v, ...]); the signature is the
	// first item after the list header (1-3 bytes) and its own 1-byte header.
	b[5] ^= 0xff
	return b
}

// onShard is the kind of predicate discovery.Request.Match implements.
func onShard(cluster, index uint16) func(*enode.Node) bool {
	return func(n *enode.Node) bool {
		rs, err := wakuenr.RelayShardsFromRecord(n.Record())
		return err == nil && rs.Contains(shardmesh.Shard{Cluster: cluster, Index: index})
	}
}
