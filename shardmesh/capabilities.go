package shardmesh

import (
	"strconv"
	"strings"
)

// Capabilities is the flag byte of the "waku2" ENR entry: 8 bits saying which
// Waku protocols a node serves (WAKU2-ENR, waku-org/specs
// standards/core/enr.md; go-waku protocol/enr/enr.go; nwaku
// waku_enr/capabilities.nim). Bits 5-7 are undefined in the spec; nwaku uses
// bit 5 for mix. They are kept as read and printed as "bit5".."bit7".
// Package shardmesh/enr reads and writes it in a record (enr.Waku2).
type Capabilities uint8

// Capability bits, bit 0 the least significant (WAKU2-ENR "waku2 ENR key").
const (
	CapRelay     Capabilities = 1 << 0
	CapStore     Capabilities = 1 << 1
	CapFilter    Capabilities = 1 << 2
	CapLightPush Capabilities = 1 << 3
	CapSync      Capabilities = 1 << 4
)

var capabilityNames = [...]string{"relay", "store", "filter", "lightpush", "sync"}

// Has reports whether every bit of want is set in c.
func (c Capabilities) Has(want Capabilities) bool { return c&want == want }

// String lists the set flags, e.g. "relay,store"; "none" for zero.
func (c Capabilities) String() string {
	if c == 0 {
		return "none"
	}
	var parts []string
	for bit := range 8 {
		if c&(1<<bit) == 0 {
			continue
		}
		if bit < len(capabilityNames) {
			parts = append(parts, capabilityNames[bit])
		} else {
			parts = append(parts, "bit"+strconv.Itoa(bit))
		}
	}
	return strings.Join(parts, ",")
}
