package peermanager

// Capabilities is the ENR `waku2` capability bit field (waku-org/specs
// standards/core/enr.md: bit 0 relay, 1 store, 2 filter, 3 lightpush, 4 sync).
//
// Placeholder: shardmesh.Capabilities is being landed by the foundation
// work; this type is replaced by it as soon as it is on main.
type Capabilities uint8

// Capability bits of the ENR `waku2` field.
const (
	CapRelay Capabilities = 1 << iota
	CapStore
	CapFilter
	CapLightPush
	CapSync
)

// Has reports whether every bit of c2 is set in c.
func (c Capabilities) Has(c2 Capabilities) bool { return c&c2 == c2 }
