package shardmesh

// Direction says who opened our connection to a peer. The Tracker counts the
// mesh peers we dialled: gossipsub keeps at least Dout of them as its guard
// against eclipse by inbound peers.
type Direction uint8

const (
	// Inbound: the peer dialled us, or we do not know.
	Inbound Direction = iota
	// Outbound: we dialled the peer.
	Outbound
)

// String returns "inbound" or "outbound".
func (d Direction) String() string {
	if d == Outbound {
		return "outbound"
	}
	return "inbound"
}
