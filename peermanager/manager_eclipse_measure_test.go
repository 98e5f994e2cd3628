package peermanager_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// eclipseRecorder records which eclipse messages each honest node's
// subscription yields. Message m carries "eclipse m".
type eclipseRecorder struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	got    []map[int]bool // per honest node: message numbers received
}

// record starts reading every honest node's subscription until stop.
func (r *eclipseRig) record(t *testing.T) *eclipseRecorder {
	ctx, cancel := context.WithCancel(t.Context())
	rec := &eclipseRecorder{cancel: cancel, got: make([]map[int]bool, len(r.honest))}
	for i, n := range r.honest {
		rec.got[i] = map[int]bool{}
		sub := n.subs[eclipseShard.Index]
		rec.wg.Go(func() {
			for {
				msg, err := sub.Next(ctx)
				if err != nil {
					return
				}
				num, ok := strings.CutPrefix(string(msg.Data), "eclipse ")
				if m, err := strconv.Atoi(num); ok && err == nil {
					rec.mu.Lock()
					rec.got[i][m] = true
					rec.mu.Unlock()
				}
			}
		})
	}
	return rec
}

// received reports whether honest node i has received message m.
func (rec *eclipseRecorder) received(i, m int) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.got[i][m]
}

// stop ends the recording; received still answers afterwards.
func (rec *eclipseRecorder) stop() {
	rec.cancel()
	rec.wg.Wait()
}

// publish has honest node from publish message m.
func (r *eclipseRig) publish(t *testing.T, from, m int) {
	t.Helper()
	if err := r.honest[from].topics[eclipseShard.Index].Publish(t.Context(), fmt.Appendf(nil, "eclipse %d", m)); err != nil {
		t.Fatal(err)
	}
}

// victimView is one victim's connections and mesh on the eclipse shard by
// kind of peer and direction ([attacker][outbound], 1 = yes).
type victimView struct {
	conns, mesh [2][2]int
}

func (v victimView) honestOutMesh() int  { return v.mesh[0][1] }
func (v victimView) honestOutConns() int { return v.conns[0][1] }

func (v victimView) String() string {
	return fmt.Sprintf("conns honest in/out %d/%d attacker in/out %d/%d, mesh honest in/out %d/%d attacker in/out %d/%d",
		v.conns[0][0], v.conns[0][1], v.conns[1][0], v.conns[1][1], v.mesh[0][0], v.mesh[0][1], v.mesh[1][0], v.mesh[1][1])
}

// view reads honest node i's connections and its tracker's mesh now.
func (r *eclipseRig) view(i int) victimView {
	var v victimView
	n := r.honest[i]
	for _, p := range n.node.Host.Network().Peers() {
		v.conns[b2i(r.attackers[p])][b2i(outbound(n, p))]++
	}
	for _, p := range n.tracker.MeshPeers(eclipseShard) {
		id := peer.ID(p)
		v.mesh[b2i(r.attackers[id])][b2i(outbound(n, id))]++
	}
	return v
}

func outbound(n *relayNode, p peer.ID) bool {
	for _, c := range n.node.Host.Network().ConnsToPeer(p) {
		if c.Stat().Direction == network.DirOutbound {
			return true
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
