package restbody_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
)

// A subscribe body names shards by index or by pubsub topic; a publish
// body is checked field by field, and a refusal carries its HTTP status.
func Example() {
	const cluster = 16
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/relay/subscribe", strings.NewReader(`[32, "/waku/2/rs/16/33"]`))
	shards, err := restbody.ShardList(w, r, cluster)
	fmt.Println(shards, err)

	r = httptest.NewRequest("POST", "/relay/publish/32", strings.NewReader(`{"payload":"aGk=","contentTopic":"/qa/1/chat/proto"}`))
	var p restbody.Publish
	if err := restbody.Decode(w, r, &p); err != nil {
		fmt.Println(err)
		return
	}
	m, err := p.Message()
	fmt.Printf("%q on %s, %v\n", m.Payload, m.ContentTopic, err)

	_, err = restbody.ShardRef("/waku/2/rs/1/3", cluster)
	fmt.Println(err.(*restbody.Error).Status, err)
	// Output:
	// [32 33] <nil>
	// "hi" on /qa/1/chat/proto, <nil>
	// 400 pubsub topic /waku/2/rs/1/3 is on cluster 1; this node is on cluster 16
}
