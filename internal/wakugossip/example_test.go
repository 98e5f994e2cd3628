package wakugossip_test

import (
	"fmt"

	"github.com/wakupm/wakupm/internal/wakugossip"
)

func ExampleParams() {
	p := wakugossip.Params()
	fmt.Println(p.D, p.Dlo, p.Dhi, p.Dout, p.HeartbeatInterval)
	// Output: 6 4 8 2 1s
}
