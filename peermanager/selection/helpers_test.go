package selection

import (
	"fmt"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

var t0 = time.Unix(1_700_000_000, 0)

func pid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%05d", i)) }

func enrPeer(i int, cluster uint16, caps shardmesh.Capabilities, idx ...uint16) book.DiscoveredPeer {
	return book.DiscoveredPeer{ID: pid(i), Origin: book.OriginDiscv5, HasENR: true, Cluster: cluster,
		HasShards: true, Shards: shards(idx...), Caps: caps}
}

func newTestBook(t testing.TB, opts ...book.Option) *book.Book {
	t.Helper()
	b, err := book.New(1, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func shards(idx ...uint16) shardmesh.ShardSet {
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		panic(err)
	}
	return s
}
