package peerid_test

import (
	"fmt"

	"github.com/wakupm/wakupm/peerid"
)

// A shell converts libp2p's peer.ID with peerid.ID(p) and back with
// peer.ID(id); String prints what libp2p prints.
func Example() {
	id := peerid.ID("\x00\x24\x08\x01\x12\x20" + string(make([]byte, 32)))
	fmt.Println(id)
	// Output:
	// 12D3KooW9pNAk8aiBuGVQtWRdbkLmo5qVL3e2h5UxbN2Nz9ttwiw
}
