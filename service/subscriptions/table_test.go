package subscriptions

import (
	"errors"
	"slices"
	"testing"
)

func TestSubscribeMatchUnsubscribe(t *testing.T) {
	tb := New(3)
	if err := tb.Subscribe("a", "/waku/2/rs/16/32", []string{"/x/1/a/proto", "/x/1/b/proto", "/x/1/a/proto"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.Subscribe("b", "/waku/2/rs/16/32", []string{"/x/1/a/proto"}); err != nil {
		t.Fatal(err)
	}
	got := tb.Match(nil, "/waku/2/rs/16/32", "/x/1/a/proto")
	slices.Sort(got)
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("match %v", got)
	}
	if got := tb.Match(nil, "/waku/2/rs/16/33", "/x/1/a/proto"); len(got) != 0 {
		t.Fatalf("other shard matched %v", got)
	}
	// Cap: a holds 2, asks 2 new: refused whole.
	err := tb.Subscribe("a", "/waku/2/rs/16/32", []string{"/x/1/c/proto", "/x/1/d/proto"})
	var ce *CapError
	if !errors.As(err, &ce) || !errors.Is(err, ErrTooManyCriteria) || ce.Held != 2 || tb.Held("a") != 2 {
		t.Fatalf("over cap: %v, held %d", err, tb.Held("a"))
	}
	if _, err := tb.Unsubscribe("a", "/waku/2/rs/16/32", []string{"/nope/1/x/proto"}); !errors.Is(err, ErrNotSubscribed) {
		t.Fatalf("unsubscribe unknown: %v", err)
	}
	if left, err := tb.Unsubscribe("a", "/waku/2/rs/16/32", []string{"/x/1/a/proto"}); err != nil || left != 1 {
		t.Fatalf("unsubscribe: %d %v", left, err)
	}
	if n := tb.Remove("a"); n != 1 || tb.Len() != 1 {
		t.Fatalf("remove %d, len %d", n, tb.Len())
	}
	tb.Remove("b")
	if len(tb.byCrit) != 0 || len(tb.byPeer) != 0 {
		t.Fatal("indexes leak entries")
	}
}
