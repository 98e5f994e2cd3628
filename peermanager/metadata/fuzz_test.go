package metadata

import (
	"bytes"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to the decoder: it must not panic, and
// whatever it accepts must survive a re-encoding unchanged.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte{0x08, 0x10, 0x10, 0x20, 0x10, 0x40, 0x1a, 0x02, 0x20, 0x40})
	f.Add([]byte{0x08, 0x01, 0x12, 0x03, 0x00, 0x01, 0x02})
	f.Add([]byte{0x1a, 0x04, 0x80, 0x08, 0xff, 0x07})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if err != nil {
			return
		}
		if m.Shards.Len() > 1024 {
			t.Fatalf("%d shards", m.Shards.Len())
		}
		enc := m.Marshal()
		back, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("re-decoding our own encoding %x: %v", enc, err)
		}
		m.OutOfRangeShards = 0 // not re-encoded
		if back != m {
			t.Fatalf("round trip changed %+v into %+v", m, back)
		}
		if !bytes.Equal(back.Marshal(), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}
