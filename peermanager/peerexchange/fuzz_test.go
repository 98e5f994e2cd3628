package peerexchange

import (
	"bytes"
	"testing"
)

// FuzzUnmarshalRPC feeds arbitrary bytes to the decoder and to the ENR
// sifting behind it: neither may panic, and what decodes must re-encode
// stably.
func FuzzUnmarshalRPC(f *testing.F) {
	f.Add([]byte{0x0a, 0x02, 0x08, 0x05})
	f.Add([]byte{0x0a, 0x02, 0x08, 0x00, 0x12, 0x09, 0x0a, 0x04, 0x0a, 0x02, 0xc1, 0x80, 0x50, 0xc8, 0x01})
	f.Add([]byte{0x12, 0x07, 0x0a, 0x03, 0x0a, 0x05, 0xff, 0x50, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		rpc, err := UnmarshalRPC(data)
		if err != nil {
			return
		}
		enc := rpc.Marshal()
		back, err := UnmarshalRPC(enc)
		if err != nil {
			t.Fatalf("re-decoding our own encoding %x: %v", enc, err)
		}
		if !bytes.Equal(back.Marshal(), enc) {
			t.Fatal("encoding is not stable")
		}
		if rpc.Response != nil {
			res := Sift(rpc.Response, nil)
			if res.Received != len(res.Nodes)+res.Invalid+res.Duplicates+res.Rejected {
				t.Fatalf("counts do not add up: %+v", res)
			}
		}
	})
}
