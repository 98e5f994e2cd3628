package restbody

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

// FuzzBodies decodes arbitrary bodies as each body the node reads (which
// picks: 0 subscribe and 3 unsubscribe, shard lists; 1 publish; 2 protect),
// for a node of cluster 16. Whatever the body, the decoders either refuse
// it with an *Error of a 4xx status and a message, or return values the
// node may use as they are: shard indexes in range, a message with a valid
// content topic that fits MaxMessageSize, a protection with a key (and a
// keepPreviousKeyFor within 0..MaxKeepPrevious).
func FuzzBodies(f *testing.F) {
	f.Add(uint8(0), []byte(`[32, "/waku/2/rs/16/33"]`))
	f.Add(uint8(1), []byte(`{"payload":"aGk=","contentTopic":"/qa/1/chat/proto","timestamp":1,"meta":"AA==","version":2,"ephemeral":true}`))
	f.Add(uint8(2), []byte(`{"shard":32,"publicKey":"0x049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6"}`))
	f.Add(uint8(2), []byte(`{"shard":32,"privateKey":"0x5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6","keepPreviousKeyFor":"90s"}`))
	f.Add(uint8(3), []byte(`["/waku/2/rs/16/32"]`))
	f.Add(uint8(1), []byte(`{"payload":null,"contentTopic":"/a/b"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		err := decodeAs(which, body)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 || e.Msg == "" {
			t.Fatalf("body %d %q: refused with %#v (%v); want an *Error with a 4xx status and a message", which%4, body, err, err)
		}
	})
}

// decodeAs decodes body as the body which picks and checks what a decoder
// that accepts it returns; it returns the decoder's error.
func decodeAs(which uint8, body []byte) error {
	const cluster = 16
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	switch which % 4 {
	case 1:
		var p Publish
		if err := Decode(w, r, &p); err != nil {
			return err
		}
		m, err := p.Message()
		if err == nil {
			if _, cerr := shardmesh.ParseContentTopic(m.ContentTopic); cerr != nil || len(m.Marshal()) > MaxMessageSize || m.Timestamp < 0 {
				panic("accepted an invalid message")
			}
		}
		return err
	case 2:
		var p Protect
		if err := Decode(w, r, &p); err != nil {
			return err
		}
		pr, err := p.Parse(cluster)
		if err == nil && (pr.Shard > shardmesh.MaxShardIndex || pr.Public.IsZero() && pr.Private.IsZero() ||
			pr.KeepPrevious < 0 || pr.KeepPrevious > MaxKeepPrevious) {
			panic("accepted a protection without a key, with a shard out of range or a window out of bounds")
		}
		return err
	default:
		shards, err := ShardList(w, r, cluster)
		for _, s := range shards {
			if s > shardmesh.MaxShardIndex {
				panic("accepted a shard out of range")
			}
		}
		if err == nil && len(shards) == 0 {
			panic("accepted an empty shard list")
		}
		return err
	}
}
