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
// no capability announces it).
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
func (t *protocolTable) maskOfCaps(c shardmesh.Capabilities) protoMask {
	var m protoMask
	for i, p := range t.list {
		if p.Cap != 0 && c.Has(p.Cap) {
			m |= 1 << i
		}
	}
	return m
}
