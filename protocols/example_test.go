package protocols_test

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/protocols"
)

// A full node registers its services under these ids and builds gossipsub
// with protocols.Relay first, so that identify tells peers it relays.
func Example() {
	for _, id := range []protocol.ID{protocols.Relay, protocols.FilterSubscribe, protocols.LightPush, protocols.Metadata} {
		fmt.Println(id)
	}
	// Output:
	// /vac/waku/relay/2.0.0
	// /vac/waku/filter-subscribe/2.0.0-beta1
	// /vac/waku/lightpush/3.0.0
	// /vac/waku/metadata/1.0.0
}
