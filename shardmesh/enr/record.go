package enr

import (
	"errors"
	"io"

	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/shardmesh"
)

// relayShardsEntry validates rs and returns the entry a writer should set:
// RS below RSVThreshold distinct shards, RSV from it on (RELAY-SHARDING
// "Discovery"; nwaku withWakuRelaySharding; go-waku WithWakuRelaySharding).
func relayShardsEntry(rs RelayShards) (set gethenr.Entry, other string, err error) {
	s, err := rs.normalized(KeyRS)
	if err != nil {
		return nil, "", err
	}
	norm := RelayShardsFromSet(rs.Cluster, s)
	switch n := len(norm.Indices); {
	case n == 0:
		// nwaku and go-waku refuse to build an empty RelayShards and go-waku
		// rejects a zero count when reading (protocol/shard.go).
		return nil, "", errorf(KeyRS, ProblemEmpty, "cluster %d", rs.Cluster)
	case n < RSVThreshold:
		return RS(norm), KeyRSV, nil
	default:
		return RSV(norm), KeyRS, nil
	}
}

// SetRelayShards writes rs into r as "rs" when it has fewer than 64 distinct
// shards and as "rsv" otherwise, and removes the other key, so that r never
// carries both (RELAY-SHARDING: "Nodes MUST NOT use both"). It fails with an
// *Error, leaving r unchanged, for an index above shardmesh.MaxShardIndex or an
// empty shard list. Like gethenr.Record.Set it invalidates r's signature; sign
// the record again (enode.SignV4) before publishing it.
func SetRelayShards(r *gethenr.Record, rs RelayShards) error {
	entry, other, err := relayShardsEntry(rs)
	if err != nil {
		return err
	}
	if hasKey(r, other) {
		*r = withoutKey(r, other)
	}
	r.Set(entry)
	return nil
}

// SetLocalNodeRelayShards is SetRelayShards for a discv5 enode.LocalNode,
// which re-signs its record itself.
func SetLocalNodeRelayShards(ln *enode.LocalNode, rs RelayShards) error {
	entry, other, err := relayShardsEntry(rs)
	if err != nil {
		return err
	}
	ln.Delete(gethenr.WithEntry(other, nil))
	ln.Set(entry)
	return nil
}

// RelayShardsFromRecord reads the shards r advertises (use node.Record() for
// an *enode.Node).
//
// When r carries "rs" it is used and "rsv" is never read, even if "rs" is
// malformed. RELAY-SHARDING says records with both keys "SHOULD be ignored"
// but readers "MAY interpret rs in such ENRs, but MUST ignore rsv"; taking rs
// is what nwaku (waku_enr/sharding.nim relaySharding) and go-waku
// (protocol/enr/shards.go RelaySharding) do, and it never reads rsv, so it
// meets the MUST. Callers that want the SHOULD can test HasBothShardKeys.
// (nwaku falls back to rsv when rs is malformed; that reads rsv in a record
// carrying both, which the spec forbids, so this reader does not.)
//
// Errors are *Error: errors.Is(err, ErrFieldAbsent) when neither key is
// present, otherwise the decoding problem of the key that was read.
func RelayShardsFromRecord(r *gethenr.Record) (RelayShards, error) {
	var rs RS
	err := r.Load(&rs)
	if err == nil {
		return RelayShards(rs), nil
	}
	if !gethenr.IsNotFound(err) {
		return RelayShards{}, asError(err, KeyRS)
	}
	var rsv RSV
	err = r.Load(&rsv)
	if err == nil {
		return RelayShards(rsv), nil
	}
	if !gethenr.IsNotFound(err) {
		return RelayShards{}, asError(err, KeyRSV)
	}
	return RelayShards{}, &Error{Key: KeyRS, Problem: ProblemAbsent, Detail: "record has neither rs nor rsv"}
}

// HasBothShardKeys reports whether r carries both "rs" and "rsv", which
// writers must not do and which the spec says readers SHOULD ignore.
func HasBothShardKeys(r *gethenr.Record) bool {
	return hasKey(r, KeyRS) && hasKey(r, KeyRSV)
}

// CapabilitiesFromRecord reads the "waku2" flags of r. A record without the
// key returns an *Error matching ErrFieldAbsent; WAKU2-ENR says discv5
// readers MUST drop such records and those whose flags are zero.
func CapabilitiesFromRecord(r *gethenr.Record) (shardmesh.Capabilities, error) {
	var c Waku2
	if err := r.Load(&c); err != nil {
		return 0, asError(err, KeyWaku2)
	}
	return shardmesh.Capabilities(c), nil
}

// MultiaddrsFromRecord reads the "multiaddrs" entry of r (see Multiaddrs and
// DecodeMultiaddrs). A record without the key returns an *Error matching
// ErrFieldAbsent.
func MultiaddrsFromRecord(r *gethenr.Record) ([]multiaddr.Multiaddr, error) {
	var m Multiaddrs
	if err := r.Load(&m); err != nil {
		return nil, asError(err, KeyMultiaddrs)
	}
	return m, nil
}

// asError unwraps go-ethereum's *enr.KeyError into our *Error.
func asError(err error, key string) error {
	if gethenr.IsNotFound(err) {
		return &Error{Key: key, Problem: ProblemAbsent}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	// rlp.DecodeBytes reports trailing bytes after the value itself.
	return errorf(key, ProblemMalformed, "%v", err)
}

// rawEntry carries an already RLP-encoded value from one record to another.
type rawEntry struct {
	key   string
	value rlp.RawValue
}

func (e rawEntry) ENRKey() string              { return e.key }
func (e rawEntry) EncodeRLP(w io.Writer) error { _, err := w.Write(e.value); return err }

func hasKey(r *gethenr.Record, key string) bool {
	var raw rlp.RawValue
	return r.Load(gethenr.WithEntry(key, &raw)) == nil
}

// withoutKey returns a copy of r without key. go-ethereum's enr.Record has no
// Delete, so the record is rebuilt pair by pair. The copy is unsigned; its
// sequence number is one above r's when r was signed, as gethenr.Record.Set does.
func withoutKey(r *gethenr.Record, key string) gethenr.Record {
	var out gethenr.Record
	seq := r.Seq()
	if r.Signature() != nil {
		seq++
	}
	out.SetSeq(seq)
	elems := r.AppendElements(nil) // seq, k1, v1, k2, v2, ...
	for i := 1; i+1 < len(elems); i += 2 {
		k, _ := elems[i].(string)
		v, _ := elems[i+1].(rlp.RawValue)
		if k != key {
			out.Set(rawEntry{key: k, value: v})
		}
	}
	return out
}
