package enr

import (
	"errors"
	"fmt"
)

// ENR keys defined by WAKU2-ENR and RELAY-SHARDING (waku-org/specs
// standards/core/enr.md and standards/core/relay-sharding.md).
const (
	// KeyRS is the index-list form of a node's relay shards.
	KeyRS = "rs"
	// KeyRSV is the bit-vector form of a node's relay shards.
	KeyRSV = "rsv"
	// KeyWaku2 is the capability flag byte.
	KeyWaku2 = "waku2"
	// KeyMultiaddrs holds addresses the EIP-778 keys cannot express.
	KeyMultiaddrs = "multiaddrs"
)

// Problem says what is wrong with an ENR field.
type Problem uint8

// Problems an ENR field can have.
const (
	// ProblemAbsent: the record does not carry the field. errors.Is(err,
	// ErrFieldAbsent) is true for exactly this problem.
	ProblemAbsent Problem = iota + 1
	// ProblemTruncated: the value ends before its layout says it should.
	ProblemTruncated
	// ProblemOversized: the value is longer than its layout allows.
	ProblemOversized
	// ProblemCountMismatch: an rs length byte disagrees with the value size.
	ProblemCountMismatch
	// ProblemOutOfRange: a shard index above shardmesh.MaxShardIndex.
	ProblemOutOfRange
	// ProblemMalformed: the value is not an RLP byte string, or a multiaddrs
	// item has length zero.
	ProblemMalformed
	// ProblemEmpty: a writer was asked to advertise an empty shard list,
	// which go-waku readers reject (protocol/shard.go NewRelayShards).
	ProblemEmpty
)

var enrProblemText = [...]string{
	ProblemAbsent:        "field absent",
	ProblemTruncated:     "truncated",
	ProblemOversized:     "oversized",
	ProblemCountMismatch: "length byte does not match value size",
	ProblemOutOfRange:    "shard index out of range 0..1023",
	ProblemMalformed:     "malformed",
	ProblemEmpty:         "no shards to advertise",
}

func (p Problem) String() string {
	if int(p) < len(enrProblemText) && enrProblemText[p] != "" {
		return enrProblemText[p]
	}
	return fmt.Sprintf("Problem(%d)", uint8(p))
}

// ErrFieldAbsent matches (with errors.Is) an *Error whose Problem is
// ProblemAbsent, so that callers can tell a record that does not advertise a
// field from one that advertises it badly.
var ErrFieldAbsent = errors.New("enr: field absent")

// Error reports an ENR field that is absent or cannot be decoded or
// encoded. Key names the field ("rs", "rsv", "waku2", "multiaddrs"),
// Problem says what is wrong and Detail gives the figures (lengths, index).
type Error struct {
	Key     string
	Problem Problem
	Detail  string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("enr: key %q: %s", e.Key, e.Problem)
	}
	return fmt.Sprintf("enr: key %q: %s: %s", e.Key, e.Problem, e.Detail)
}

// Is makes errors.Is(err, ErrFieldAbsent) true for absent fields.
func (e *Error) Is(target error) bool {
	return target == ErrFieldAbsent && e.Problem == ProblemAbsent
}

func errorf(key string, p Problem, format string, args ...any) *Error {
	return &Error{Key: key, Problem: p, Detail: fmt.Sprintf(format, args...)}
}
