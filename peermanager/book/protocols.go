package book

import (
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// MaxTrackedProtocols bounds how many protocols one Book indexes. A peer's
// tracked protocols are kept as a 64-bit mask.
const MaxTrackedProtocols = 64

// TrackedProtocol is a protocol the book indexes peers by, and the ENR
// `waku2` capability that announces it before identify has run (zero when
// no capability announces it). A capability given to several tracked
// protocols announces none of them: identify decides.
type TrackedProtocol struct {
	ID  string
	Cap shardmesh.Capabilities
}

// DefaultTrackedProtocols returns the Waku protocols the book indexes unless
// told otherwise: relay, store, filter, light push (with their `waku2`
// bits), peer exchange and metadata (no bit).
func DefaultTrackedProtocols() []TrackedProtocol {
	return []TrackedProtocol{
		{protocols.Relay, shardmesh.CapRelay},
		{protocols.Store, shardmesh.CapStore},
		{protocols.FilterSubscribe, shardmesh.CapFilter},
		{protocols.LightPush, shardmesh.CapLightPush},
		{protocols.PeerExchange, 0},
		{protocols.Metadata, 0},
	}
}

// ProtocolRef is a tracked protocol's position in its Book, obtained once
// from Book.Protocol and used on hot paths instead of the string.
type ProtocolRef uint8

// protoMask has bit r set when a peer supports tracked protocol r.
type protoMask uint64

func (m protoMask) has(r ProtocolRef) bool { return m&(1<<r) != 0 }

// protocolTable interns the tracked protocols of one book.
type protocolTable struct {
	list  []TrackedProtocol
	index map[string]ProtocolRef
	// shared has bit r set when tracked protocol r's capability bit is
	// also another tracked protocol's: the bit does not say which of them
	// a peer speaks, so only identify does (light push v2 and v3 behind
	// the one `lightpush` bit).
	shared protoMask
}

func newProtocolTable(list []TrackedProtocol) (protocolTable, error) {
	if len(list) == 0 {
		return protocolTable{}, errors.New("at least one tracked protocol needed")
	}
	if len(list) > MaxTrackedProtocols {
		return protocolTable{}, fmt.Errorf("%d tracked protocols, at most %d", len(list), MaxTrackedProtocols)
	}
	t := protocolTable{list: append([]TrackedProtocol(nil), list...), index: make(map[string]ProtocolRef, len(list))}
	for i, p := range list {
		if p.ID == "" {
			return protocolTable{}, fmt.Errorf("tracked protocol %d has an empty id", i)
		}
		if _, dup := t.index[p.ID]; dup {
			return protocolTable{}, fmt.Errorf("protocol %q tracked twice", p.ID)
		}
		t.index[p.ID] = ProtocolRef(i)
	}
	for i, p := range list {
		for j, q := range list {
			if i != j && p.Cap != 0 && p.Cap == q.Cap {
				t.shared |= 1 << i
			}
		}
	}
	return t, nil
}

// maskOf returns the tracked protocols among ids; others are ignored (they
// stay in the libp2p peerstore, and an adversary cannot grow the book by
// announcing many).
func (t *protocolTable) maskOf(ids []string) protoMask {
	var m protoMask
	for _, id := range ids {
		if r, ok := t.index[id]; ok {
			m |= 1 << r
		}
	}
	return m
}

// maskOfCaps returns the tracked protocols announced by ENR capabilities.
// A bit shared by several tracked protocols announces none of them: a
// peer is not offered for a version it may not speak before identify
// says which it speaks.
func (t *protocolTable) maskOfCaps(c shardmesh.Capabilities) protoMask {
	var m protoMask
	for i, p := range t.list {
		if p.Cap != 0 && c.Has(p.Cap) {
			m |= 1 << i
		}
	}
	return m &^ t.shared
}

// CapabilityOf returns the ENR `waku2` bit that announces a known Waku
// protocol (zero for one no bit announces). Light push v2 and v3 share
// the `lightpush` bit (rfc-index 31/WAKU2-ENR): track both and the book
// waits for identify to index either.
func CapabilityOf(id string) shardmesh.Capabilities {
	switch id {
	case protocols.Relay:
		return shardmesh.CapRelay
	case protocols.Store:
		return shardmesh.CapStore
	case protocols.FilterSubscribe:
		return shardmesh.CapFilter
	case protocols.LightPush, protocols.LightPushLegacy:
		return shardmesh.CapLightPush
	}
	return 0
}
