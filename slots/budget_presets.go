package slots

// NwakuBudget reproduces nwaku's split (waku/node/peer_manager/peer_manager.nim,
// PeerManager.new and waku/factory/builder.nim withPeerManagerConfig, default
// ratio "60:40"):
//
//	relay    = ceil(maxConns × 0.6), service = floor(maxConns × 0.4)
//	outbound = relay div 3, inbound = relay − outbound
//
// nwaku refuses relay < Dhi (it returns no peer manager). nwaku keeps one
// undivided service share and never enforces it (nwaku
// waku/factory/builder.nim:205-212, peer_manager.nim:1044); the
// preset splits it between filter and light push like NewBudget so that the
// same pools can run it. nwaku dials no further than its outbound target, so
// DialHeadroom is 0. Integer arithmetic here equals nwaku's float64
// arithmetic for every maxConns up to 2000 (checked in the tests).
func NwakuBudget(maxConns int) (Budget, error) {
	b := Budget{MaxConnections: maxConns}
	if maxConns > 0 {
		relay := (maxConns*60 + 99) / 100
		service := maxConns * 40 / 100
		b.RelayOutbound = relay / 3
		b.RelayInbound = relay - b.RelayOutbound
		b.Reserved.Filter = (service + 1) / 2
		b.Reserved.LightPush = service - b.Reserved.Filter
	}
	return b, b.Validate()
}

// GoWakuBudget reproduces go-waku's split (waku/v2/peermanager/peer_manager.go,
// relayAndServicePeers and inAndOutRelayPeers):
//
//	relay    = maxConns − maxConns/5, service = maxConns/5
//	outbound = max(relay/3, 10), inbound = relay − outbound
//
// go-waku reserves nothing for service clients (its service share is just the
// remainder); the preset splits it between filter and light push like
// NewBudget. go-waku dials no further than its targets, so DialHeadroom is
// 0. Below 12 connections go-waku's inbound target turns negative
// (go-waku would then index its peer list with a negative start), which
// Validate rejects.
func GoWakuBudget(maxConns int) (Budget, error) {
	b := Budget{MaxConnections: maxConns}
	if maxConns > 0 {
		service := maxConns / 5
		relay := maxConns - service
		b.RelayOutbound = max(relay/3, 10)
		b.RelayInbound = relay - b.RelayOutbound
		b.Reserved.Filter = (service + 1) / 2
		b.Reserved.LightPush = service - b.Reserved.Filter
	}
	return b, b.Validate()
}
