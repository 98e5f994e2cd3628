package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// diagnoser is implemented by node policies that can say, for a pair left
// below SufficientlyHealthy, what their peer manager knows of the shard.
type diagnoser interface {
	diagnose(shard uint16, now time.Time) string
}

// diagnose describes a weak pair from the network's side: how many other
// live members of the shard are connected to the node, how many are not
// and have no free connection slot, and the policy's own view.
func (e *engine) diagnose(sn *simNode, shard uint16) string {
	self := sn.node.Host
	var connected, full, others int
	for _, o := range e.nodes {
		if o == nil || o == sn || !o.left.IsZero() || o.spec.Role != Honest || !o.spec.Subscribed.Contains(shard) {
			continue
		}
		others++
		switch {
		case len(self.Network().ConnsToPeer(o.node.ID())) > 0:
			connected++
		case o.limit.full():
			full++
		}
	}
	s := fmt.Sprintf("members connected %d/%d, unconnected and full %d", connected, others, full)
	if d, ok := sn.pol.(diagnoser); ok {
		s += "; " + d.diagnose(shard, time.Now())
	}
	return s
}

// diagnose reports the Manager's view of shard: connected relay peers on
// it (inbound/outbound) against its floor, and the book's other records on
// it by why they are not dialled now.
func (n *managerNode) diagnose(shard uint16, now time.Time) string {
	if n.mgr == nil {
		return "no manager"
	}
	var b strings.Builder
	for _, sh := range n.mgr.Snapshot().Shards {
		if sh.Shard.Index == shard {
			fmt.Fprintf(&b, "manager in/out %d/%d floor %d health %v", sh.Inbound, sh.Outbound, sh.Floor, sh.Health)
		}
	}
	n.mgr.ReadBook(func(bk *book.Book) {
		r := bk.MustProtocol(protocols.Relay)
		set := bk.Peers(r, shardmesh.Shard{Cluster: n.cfg.Cluster, Index: shard}, false)
		var backoff, failed int
		for i := range set.Len() {
			p := set.At(i)
			if p.InBackoff(now) {
				backoff++
			}
			if p.DialFailures() > 0 {
				failed++
			}
		}
		fmt.Fprintf(&b, "; book: %d unconnected on shard (%d in backoff, %d with failures), book size %d", set.Len(), backoff, failed, bk.Len())
	})
	return b.String()
}
