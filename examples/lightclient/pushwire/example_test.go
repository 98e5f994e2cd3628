package pushwire_test

import (
	"bufio"
	"bytes"
	"fmt"

	"github.com/wakupm/wakupm/examples/lightclient/pushwire"
)

// A peer answers a request with its request id and a status code; the
// client reads the frame back and keeps the status code.
func Example() {
	req := pushwire.Request("req-1", "/waku/2/rs/1/3", "/qa/1/chat/proto", []byte("hi"))
	id, _ := pushwire.RequestID(req)

	var stream bytes.Buffer
	_ = pushwire.WriteFrame(&stream, pushwire.Response(id, 429))

	resp, err := pushwire.ReadFrame(bufio.NewReader(&stream))
	if err != nil {
		fmt.Println(err)
		return
	}
	code, err := pushwire.StatusCode(resp)
	fmt.Println(id, code, err)
	_, err = pushwire.StatusCode(req)
	fmt.Println(err)
	// Output:
	// req-1 429 <nil>
	// response without status_code
}
