package peermanager

import (
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/peerexchange"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/slots"
)

// TestProtocolIDsHaveOneSource: the book's tracked protocols, the slots
// services and the wire packages name the same ids, all from package
// protocols, so that a stream the slots gater admits is one the selector
// chose a peer for.
func TestProtocolIDsHaveOneSource(t *testing.T) {
	services := map[slots.Service]protocol.ID{
		slots.Filter:       protocols.FilterSubscribe,
		slots.LightPush:    protocols.LightPush,
		slots.Store:        protocols.Store,
		slots.PeerExchange: protocols.PeerExchange,
	}
	for s, id := range services {
		if got, ok := slots.ServiceOf(string(id)); !ok || got != s {
			t.Errorf("slots.ServiceOf(%s) = %v, %v; want %v", id, got, ok, s)
		}
		if !slices.Contains(s.Protocols(), string(id)) {
			t.Errorf("%v serves %v, not the book's %s", s, s.Protocols(), id)
		}
	}
	if _, ok := slots.ServiceOf(protocols.Relay); ok {
		t.Error("relay counted as a service")
	}
	tracked := book.DefaultTrackedProtocols()
	for _, id := range []protocol.ID{protocols.Relay, protocols.Store, protocols.FilterSubscribe, protocols.LightPush,
		protocols.PeerExchange, protocols.Metadata} {
		if !slices.ContainsFunc(tracked, func(p book.TrackedProtocol) bool { return p.ID == string(id) }) {
			t.Errorf("the book does not track %s", id)
		}
	}
	if metadata.ProtocolID != protocols.Metadata || peerexchange.ProtocolID != protocols.PeerExchange {
		t.Error("wire packages use ids of their own")
	}
}
