package enr

import (
	"testing"

	"github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/require"
)

func TestMultiaddrsRoundTrip(t *testing.T) {
	// js-waku packages/enr/src/multiaddrs_codec.spec.ts "Sample".
	addrs := mustMultiaddrs(t,
		"/dns4/node-01.do-ams3.waku.test.status.im/tcp/443/wss",
		"/dns6/node-01.ac-cn-hongkong-c.waku.test.status.im/tcp/443/wss",
		"/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234/wss",
	)
	b, err := EncodeMultiaddrs(addrs)
	require.NoError(t, err)
	require.Equal(t, byte(len(addrs[0].Bytes())), b[1])
	got, err := DecodeMultiaddrs(b)
	require.NoError(t, err)
	require.Equal(t, addrs, got)

	// The decoded addresses do not alias the input.
	for i := range b {
		b[i] = 0xee
	}
	require.Equal(t, addrs, got)

	empty, err := DecodeMultiaddrs(nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestDecodeMultiaddrsErrors(t *testing.T) {
	good := mustMultiaddrs(t, "/ip4/1.2.3.4/tcp/80")[0].Bytes()
	item := append([]byte{0, byte(len(good))}, good...)
	tests := []struct {
		name string
		in   []byte
		want Problem
	}{
		// go-waku waku/v2/protocol/enr/enr.go:133-142 panics on a trailing byte.
		{"single byte", []byte{0}, ProblemTruncated},
		{"trailing byte", append(append([]byte{}, item...), 7), ProblemTruncated},
		{"length past end", []byte{0, 10, 1, 2, 3}, ProblemTruncated},
		{"length 65535, short", []byte{0xff, 0xff, 4}, ProblemTruncated},
		// nwaku waku_enr/multiaddr.nim rejects a zero length, which would not advance.
		{"zero length", append(append([]byte{}, item...), 0, 0), ProblemMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeMultiaddrs(tt.in)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, KeyMultiaddrs, e.Key)
			require.Equal(t, tt.want, e.Problem, e.Error())
		})
	}
}

func TestDecodeMultiaddrsSkipsUnknownItems(t *testing.T) {
	// go-waku loops forever on an item that is not a multiaddr (its `continue`
	// does not advance, go-waku waku/v2/protocol/enr/enr.go:133-142); nwaku skips it. We skip it too.
	good := mustMultiaddrs(t, "/ip4/1.2.3.4/tcp/80", "/dns4/example.com/tcp/443/wss")
	junk := []byte{0xff, 0xff, 0xff, 0x01}
	var b []byte
	b = append(b, 0, byte(len(good[0].Bytes())))
	b = append(b, good[0].Bytes()...)
	b = append(b, 0, byte(len(junk)))
	b = append(b, junk...)
	b = append(b, 0, byte(len(good[1].Bytes())))
	b = append(b, good[1].Bytes()...)
	got, err := DecodeMultiaddrs(b)
	require.NoError(t, err)
	require.Equal(t, good, got)
}

func TestEncodeMultiaddrsErrors(t *testing.T) {
	_, err := EncodeMultiaddrs([]multiaddr.Multiaddr{nil})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, ProblemMalformed, e.Problem)
}
