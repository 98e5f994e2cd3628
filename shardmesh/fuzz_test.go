package shardmesh

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
)

// Fuzz targets for every decoder of network or user input in this package.
// Seed corpora live in testdata/fuzz/<target>/. Run one with
//
//	go test -run='^$' -fuzz='^FuzzDecodeRS$' -fuzztime=60s ./shardmesh/

func FuzzParsePubsubTopic(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic string) {
		s, err := ParsePubsubTopic(topic)
		if err != nil {
			var e *TopicError
			if !errors.As(err, &e) || e.Reason == ReasonNone || e.Topic != topic {
				t.Fatalf("untyped or empty error %v", err)
			}
			return
		}
		if !s.Valid() || s.PubsubTopic() != topic {
			t.Fatalf("%q parsed to %+v, which formats as %q", topic, s, s.PubsubTopic())
		}
	})
}

func checkENRError(t *testing.T, err error, key string) {
	t.Helper()
	var e *ENRError
	if !errors.As(err, &e) || e.Key != key || e.Problem == 0 || e.Problem == ProblemAbsent {
		t.Fatalf("want a decoding *ENRError for %q, got %v", key, err)
	}
}

func checkSortedUnique(t *testing.T, idx []uint16) {
	t.Helper()
	for i, v := range idx {
		if v > MaxShardIndex || (i > 0 && idx[i-1] >= v) {
			t.Fatalf("indexes not sorted, unique and in range: %v", idx)
		}
	}
}

func FuzzDecodeRS(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := DecodeRS(b)
		c, s, errSet := DecodeRSSet(b)
		if (err == nil) != (errSet == nil) {
			t.Fatalf("DecodeRS and DecodeRSSet disagree: %v / %v", err, errSet)
		}
		if err != nil {
			checkENRError(t, err, ENRKeyRS)
			return
		}
		checkSortedUnique(t, rs.Indices)
		if c != rs.Cluster || s != rs.Set() {
			t.Fatalf("DecodeRSSet gave %d %v, DecodeRS %+v", c, s, rs)
		}
		enc, err := rs.EncodeRS()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := DecodeRS(enc)
		if err != nil || !rsEqual(again, rs) {
			t.Fatalf("re-decode gave %+v, %v; want %+v", again, err, rs)
		}
		// rs and rsv describe the same set.
		v, err := rs.EncodeRSV()
		if err != nil {
			t.Fatalf("EncodeRSV: %v", err)
		}
		fromV, err := DecodeRSV(v)
		if err != nil || !rsEqual(fromV, rs) {
			t.Fatalf("rsv gave %+v, %v; want %+v", fromV, err, rs)
		}
	})
}

func rsEqual(a, b RelayShards) bool {
	return a.Cluster == b.Cluster && slices.Equal(a.Indices, b.Indices)
}

func FuzzDecodeRSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := DecodeRSV(b)
		if err != nil {
			checkENRError(t, err, ENRKeyRSV)
			if len(b) == rsvLen {
				t.Fatalf("a %d-byte value must decode: %v", rsvLen, err)
			}
			return
		}
		checkSortedUnique(t, rs.Indices)
		// The bit vector is a bijection: re-encoding gives the input back.
		enc, err := rs.EncodeRSV()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("re-encode gave %x, %v; want %x", enc, err, b)
		}
	})
}

func FuzzDecodeCapabilities(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCapabilities(b)
		if err != nil {
			checkENRError(t, err, ENRKeyWaku2)
			return
		}
		if len(b) == 1 && byte(c) != b[0] || len(b) == 0 && c != 0 {
			t.Fatalf("%x decoded to %v", b, c)
		}
		_ = c.String()
	})
}

func FuzzDecodeMultiaddrs(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		addrs, err := DecodeMultiaddrs(b)
		if err != nil {
			checkENRError(t, err, ENRKeyMultiaddrs)
			return
		}
		enc, err := EncodeMultiaddrs(addrs)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := DecodeMultiaddrs(enc)
		if err != nil || len(again) != len(addrs) {
			t.Fatalf("re-decode gave %d addresses, %v; want %d", len(again), err, len(addrs))
		}
		for i := range addrs {
			if !addrs[i].Equal(again[i]) {
				t.Fatalf("address %d: %v != %v", i, addrs[i], again[i])
			}
			_ = addrs[i].String()
		}
	})
}

func FuzzParseContentTopic(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic string, numShards uint16) {
		c, err := ParseContentTopic(topic)
		if err != nil {
			var e *ContentTopicError
			if !errors.As(err, &e) || e.Reason == 0 || e.Topic != topic {
				t.Fatalf("untyped error %v", err)
			}
			if _, err := AutoShard(topic, 1, numShards); err == nil {
				t.Fatalf("AutoShard accepted %q that ParseContentTopic rejects", topic)
			}
			return
		}
		if c.String() != topic {
			t.Fatalf("%q parsed to %+v, which formats as %q", topic, c, c.String())
		}
		s, err := AutoShard(topic, 7, numShards)
		switch {
		case numShards == 0 || numShards > ShardsPerCluster:
			var e *ShardCountError
			if !errors.As(err, &e) {
				t.Fatalf("numShards %d: want *ShardCountError, got %v", numShards, err)
			}
		case c.Generation != 0:
			var e *ContentTopicError
			if !errors.As(err, &e) || e.Reason != ContentUnsupportedGeneration {
				t.Fatalf("generation %d: got %v", c.Generation, err)
			}
		case err != nil:
			t.Fatalf("AutoShard(%q, %d): %v", topic, numShards, err)
		case s.Cluster != 7 || s.Index >= numShards:
			t.Fatalf("AutoShard(%q, %d) = %+v", topic, numShards, s)
		}
	})
}

// FuzzENRRecord decodes an RLP-encoded ENR (as discv5, DNS discovery and peer
// exchange deliver it, signature unchecked) and reads every Waku field.
func FuzzENRRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var r enr.Record
		if err := rlp.DecodeBytes(b, &r); err != nil {
			return
		}
		checkRead := func(err error, keys ...string) {
			t.Helper()
			if err == nil {
				return
			}
			var e *ENRError
			if !errors.As(err, &e) || !slices.Contains(keys, e.Key) || e.Problem == 0 {
				t.Fatalf("want *ENRError for %v, got %v", keys, err)
			}
		}
		rs, err := RelayShardsFromRecord(&r)
		checkRead(err, ENRKeyRS, ENRKeyRSV)
		if err == nil {
			checkSortedUnique(t, rs.Indices)
			if hasKey(&r, ENRKeyRS) {
				if _, errRS := DecodeRS(rawValue(t, &r, ENRKeyRS)); errRS != nil {
					t.Fatalf("record read succeeded from an invalid rs: %v", errRS)
				}
			}
		}
		_, err = CapabilitiesFromRecord(&r)
		checkRead(err, ENRKeyWaku2)
		_, err = MultiaddrsFromRecord(&r)
		checkRead(err, ENRKeyMultiaddrs)
		_ = HasBothShardKeys(&r)
	})
}

func rawValue(t *testing.T, r *enr.Record, key string) []byte {
	t.Helper()
	var b []byte
	if err := r.Load(enr.WithEntry(key, &b)); err != nil {
		t.Fatalf("load %s: %v", key, err)
	}
	return b
}
