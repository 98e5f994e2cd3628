package peermanager

import "github.com/wakupm/wakupm/protocols"

// Waku protocol ids under their older peermanager names; package protocols
// defines them and the peer book (peermanager/book) tracks them by default.
const (
	ProtocolRelay        = protocols.Relay
	ProtocolStore        = protocols.Store
	ProtocolFilter       = protocols.FilterSubscribe
	ProtocolLightPush    = protocols.LightPush
	ProtocolPeerExchange = protocols.PeerExchange
	ProtocolMetadata     = protocols.Metadata
)
