package subscriptions_test

import (
	"fmt"

	"github.com/wakupm/wakupm/service/subscriptions"
)

func Example() {
	t := subscriptions.New(0)
	_ = t.Subscribe("peerA", "/waku/2/rs/16/32", []string{"/toychat/2/huilong/proto"})
	m := t.Match(nil, "/waku/2/rs/16/32", "/toychat/2/huilong/proto")
	fmt.Println(len(m), string(m[0]))
	// Output:
	// 1 peerA
}
