package pushwire

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadResponse feeds arbitrary bytes from the network to the response
// decoding of the example's light-push client: framing, then request_id and
// status_code. It must never panic nor accept a message over its limit.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte{0x0b, 0x0a, 0x05, 'r', 'e', 'q', '-', '1', 0x50, 0xc8, 0x01}) // id "req-1", status 200
	f.Add([]byte{0x03, 0x50, 0xad, 0x03})                                      // status 429 only
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})                                // absurd length
	f.Add([]byte{0x02, 0x50})                                                  // truncated varint
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadFrame(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		if len(b) > MaxMessage {
			t.Fatalf("read %d bytes, limit %d", len(b), MaxMessage)
		}
		_, _ = RequestID(b)
		_, _ = StatusCode(b)
	})
}
