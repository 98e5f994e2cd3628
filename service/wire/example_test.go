package wire_test

import (
	"fmt"

	"github.com/wakupm/wakupm/service/wire"
)

func Example() {
	req := wire.SubscribeRequest{RequestID: "1", Type: wire.Subscribe, PubsubTopic: "/waku/2/rs/16/32", HasPubsub: true,
		ContentTopics: []string{"/toychat/2/huilong/proto"}}
	back, err := wire.DecodeSubscribeRequest(req.Marshal())
	fmt.Println(back.Type, back.PubsubTopic, back.ContentTopics, err)
	// Output:
	// SUBSCRIBE /waku/2/rs/16/32 [/toychat/2/huilong/proto] <nil>
}
