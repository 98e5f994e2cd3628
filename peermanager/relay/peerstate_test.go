package relay

import (
	"testing"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// TestCorePeerStateDoesNotOutliveItsRecord: the core's per-peer state is
// keyed by book slot; a record that takes the slot of a removed one starts
// with no state (not protected, no prune cooldown, no service flag).
func TestCorePeerStateDoesNotOutliveItsRecord(t *testing.T) {
	c, err := NewCore(WakupmPreset())
	if err != nil {
		t.Fatal(err)
	}
	c.Step(PeerDiscovered{Peer: enrPeer(1, shardmesh.ClusterTWN, shardmesh.CapRelay, 0)}, t0)
	old := c.book.Get(pid(1))
	st := c.state(old)
	st.protected, st.service, st.pruneCooldownUntil = true, true, t0.Add(time.Hour)
	if !c.Protected(pid(1)) || !c.InPruneCooldown(pid(1), t0) {
		t.Fatal("state not readable through the core")
	}
	c.book.Remove(pid(1))
	c.Step(PeerDiscovered{Peer: enrPeer(2, shardmesh.ClusterTWN, shardmesh.CapRelay, 0)}, t0)
	p := c.book.Get(pid(2))
	if p.Slot() != old.Slot() {
		t.Fatalf("slot %d not reused (%d)", p.Slot(), old.Slot())
	}
	if st := c.state(p); st.protected || st.service || !st.pruneCooldownUntil.IsZero() || st.mark != 0 {
		t.Errorf("new record inherited %+v", *st)
	}
	if c.Protected(pid(1)) || c.InPruneCooldown(pid(1), t0) {
		t.Error("a removed peer still reads as protected or cooling down")
	}
}
