package shardmesh

import (
	"errors"
	"fmt"
)

// ENR keys defined by WAKU2-ENR and RELAY-SHARDING (waku-org/specs
// standards/core/enr.md and standards/core/relay-sharding.md).
const (
	// ENRKeyRS is the index-list form of a node's relay shards.
	ENRKeyRS = "rs"
	// ENRKeyRSV is the bit-vector form of a node's relay shards.
	ENRKeyRSV = "rsv"
	// ENRKeyWaku2 is the capability flag byte.
	ENRKeyWaku2 = "waku2"
	// ENRKeyMultiaddrs holds addresses the EIP-778 keys cannot express.
	ENRKeyMultiaddrs = "multiaddrs"
)

// ENRProblem says what is wrong with an ENR field.
type ENRProblem uint8

// Problems an ENR field can have.
const (
	// ProblemAbsent: the record does not carry the field. errors.Is(err,
	// ErrFieldAbsent) is true for exactly this problem.
	ProblemAbsent ENRProblem = iota + 1
	// ProblemTruncated: the value ends before its layout says it should.
	ProblemTruncated
	// ProblemOversized: the value is longer than its layout allows.
	ProblemOversized
	// ProblemCountMismatch: an rs length byte disagrees with the value size.
	ProblemCountMismatch
	// ProblemOutOfRange: a shard index above MaxShardIndex.
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

func (p ENRProblem) String() string {
	if int(p) < len(enrProblemText) && enrProblemText[p] != "" {
		return enrProblemText[p]
	}
	return fmt.Sprintf("ENRProblem(%d)", uint8(p))
}

// ErrFieldAbsent matches (with errors.Is) an *ENRError whose Problem is
// ProblemAbsent, so that callers can tell a record that does not advertise a
// field from one that advertises it badly.
var ErrFieldAbsent = errors.New("shardmesh: ENR field absent")

// ENRError reports an ENR field that is absent or cannot be decoded or
// encoded. Key names the field ("rs", "rsv", "waku2", "multiaddrs"),
// Problem says what is wrong and Detail gives the figures (lengths, index).
type ENRError struct {
	Key     string
	Problem ENRProblem
	Detail  string
}

func (e *ENRError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("shardmesh: ENR %q: %s", e.Key, e.Problem)
	}
	return fmt.Sprintf("shardmesh: ENR %q: %s: %s", e.Key, e.Problem, e.Detail)
}

// Is makes errors.Is(err, ErrFieldAbsent) true for absent fields.
func (e *ENRError) Is(target error) bool {
	return target == ErrFieldAbsent && e.Problem == ProblemAbsent
}

func enrErrorf(key string, p ENRProblem, format string, args ...any) *ENRError {
	return &ENRError{Key: key, Problem: p, Detail: fmt.Sprintf(format, args...)}
}
