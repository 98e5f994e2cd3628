package enr

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/wakupm/wakupm/shardmesh"
)

// Fuzz targets for every ENR decoder of this package. Seed corpora live in
// testdata/fuzz/<target>/. Run one with
//
//	go test -run='^$' -fuzz='^FuzzDecodeRS$' -fuzztime=60s ./shardmesh/enr/

func checkENRError(t *testing.T, err error, key string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Key != key || e.Problem == 0 || e.Problem == ProblemAbsent {
		t.Fatalf("want a decoding *Error for %q, got %v", key, err)
	}
}

func checkSortedUnique(t *testing.T, idx []uint16) {
	t.Helper()
	for i, v := range idx {
		if v > shardmesh.MaxShardIndex || (i > 0 && idx[i-1] >= v) {
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
			checkENRError(t, err, KeyRS)
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
			checkENRError(t, err, KeyRSV)
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
			checkENRError(t, err, KeyWaku2)
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
			checkENRError(t, err, KeyMultiaddrs)
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

// FuzzENRRecord decodes an RLP-encoded ENR (as discv5, DNS discovery and peer
// exchange deliver it, signature unchecked) and reads every Waku field.
func FuzzENRRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var r gethenr.Record
		if err := rlp.DecodeBytes(b, &r); err != nil {
			return
		}
		checkRead := func(err error, keys ...string) {
			t.Helper()
			if err == nil {
				return
			}
			var e *Error
			if !errors.As(err, &e) || !slices.Contains(keys, e.Key) || e.Problem == 0 {
				t.Fatalf("want *Error for %v, got %v", keys, err)
			}
		}
		rs, err := RelayShardsFromRecord(&r)
		checkRead(err, KeyRS, KeyRSV)
		if err == nil {
			checkSortedUnique(t, rs.Indices)
			if hasKey(&r, KeyRS) {
				if _, errRS := DecodeRS(rawValue(t, &r, KeyRS)); errRS != nil {
					t.Fatalf("record read succeeded from an invalid rs: %v", errRS)
				}
			}
		}
		_, err = CapabilitiesFromRecord(&r)
		checkRead(err, KeyWaku2)
		_, err = MultiaddrsFromRecord(&r)
		checkRead(err, KeyMultiaddrs)
		_ = HasBothShardKeys(&r)
	})
}

func rawValue(t *testing.T, r *gethenr.Record, key string) []byte {
	t.Helper()
	var b []byte
	if err := r.Load(gethenr.WithEntry(key, &b)); err != nil {
		t.Fatalf("load %s: %v", key, err)
	}
	return b
}
