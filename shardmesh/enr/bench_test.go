package enr

import (
	"testing"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/wakupm/wakupm/shardmesh"
)

// Run with: go test -run='^$' -bench=. -benchmem ./shardmesh/enr/

var (
	benchErr     error
	benchSet     shardmesh.ShardSet
	benchRS      RelayShards
	benchCluster uint16
)

func BenchmarkDecodeRS(b *testing.B) {
	twn, _ := RelayShards{Cluster: 1, Indices: []uint16{0, 1, 2, 3, 4, 5, 6, 7}}.EncodeRS()
	b.Run("8shards", func(b *testing.B) {
		for b.Loop() {
			benchRS, benchErr = DecodeRS(twn)
		}
	})
	b.Run("8shards/Set", func(b *testing.B) {
		for b.Loop() {
			benchCluster, benchSet, benchErr = DecodeRSSet(twn)
		}
	})
}

func BenchmarkDecodeRSV(b *testing.B) {
	idx := make([]uint16, 128)
	for i := range idx {
		idx[i] = uint16(i * 8)
	}
	v, _ := RelayShards{Cluster: 16, Indices: idx}.EncodeRSV()
	b.Run("128shards", func(b *testing.B) {
		for b.Loop() {
			benchRS, benchErr = DecodeRSV(v)
		}
	})
	b.Run("128shards/Set", func(b *testing.B) {
		for b.Loop() {
			benchCluster, benchSet, benchErr = DecodeRSVSet(v)
		}
	})
}

func BenchmarkRelayShardsFromRecord(b *testing.B) {
	r := enode.MustParse(enrGoWakuTestFleet).Record()
	for b.Loop() {
		benchRS, benchErr = RelayShardsFromRecord(r)
	}
}
