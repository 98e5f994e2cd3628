package selector_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A light client and 6 service hosts (real libp2p hosts, QUIC on the
// simulated network, virtual time):
//
//   - a light-push host answering 429 is replaced at once and backed off
//     for the rate-limit bench time: no request goes to it meanwhile;
//   - the two light-push peers in use are killed: the light-push pool moves
//     to live peers on the lost connection (1 failure), the filter pool
//     after the keep-alive's failed ping (2 failures), within the
//     configured thresholds, and never to a killed peer.
func TestSelectorLightClientOnSimulatedNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			interval = 10 * time.Second
			timeout  = 3 * time.Second
		)
		nw := simhost.NewT(t, 7, simhost.WithoutPubsub())
		client := nw.Node(0).Host
		hosts := map[peer.ID]int{}
		var rateLimited atomic.Bool
		rateLimited.Store(true)
		for i := 1; i <= 6; i++ {
			h := nw.Node(i).Host
			hosts[h.ID()] = i
			status := func() uint32 { return 200 }
			if i == 6 {
				status = func() uint32 {
					if rateLimited.Load() {
						return 429
					}
					return 200
				}
			}
			serveStatus(h, protocols.LightPush, status)
			serveStatus(h, protocols.FilterSubscribe, func() uint32 { return 200 })
		}
		id := func(i int) peer.ID { return nw.Node(i).ID() }
		pid := func(i int) peerid.ID { return peerid.ID(id(i)) }

		sel, err := selector.New(selector.WithHost(client), selector.WithNotificationBuffer(4096),
			selector.WithKeepalive(selector.KeepaliveConfig{Interval: interval, Timeout: timeout, Parallel: selector.DefaultKeepaliveParallel}))
		require.NoError(t, err)
		defer sel.Close()

		// Discovery (as from peer-exchange ENRs): hosts 1-4 serve shard 0,
		// hosts 5-6 shard 2.
		discover := func(i int, idx ...uint16) {
			set, err := shardmesh.ShardSetOf(idx...)
			require.NoError(t, err)
			n := nw.Node(i)
			client.Peerstore().AddAddrs(n.ID(), n.Host.Addrs(), peerstore.PermanentAddrTTL)
			require.NoError(t, sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginPeerExchange,
				HasENR: true, Cluster: 1, HasShards: true, Shards: set, Caps: shardmesh.CapFilter | shardmesh.CapLightPush}))
		}
		for i := 1; i <= 4; i++ {
			discover(i, 0)
		}
		discover(5, 2)
		discover(6, 2)
		for i := 1; i <= 6; i++ {
			require.NoError(t, nw.Connect(t.Context(), 0, i))
		}
		time.Sleep(time.Second) // identify
		shard0, shard2 := shardmesh.Shard{Cluster: 1, Index: 0}, shardmesh.Shard{Cluster: 1, Index: 2}

		var notes []timedNote
		drain := func() {
			for {
				select {
				case e := <-sel.Notifications():
					notes = append(notes, timedNote{time.Now(), e})
				default:
					return
				}
			}
		}
		// send publishes through every selected light-push peer and reports
		// each outcome, as a light client's send loop does.
		selectPush := func(shard shardmesh.Shard) []peer.ID {
			t.Helper()
			ids, err := sel.Select(t.Context(), selection.ForShard(protocols.LightPush, shard, 0))
			require.NoError(t, err)
			return ids
		}
		publish := func(shard shardmesh.Shard, ids []peer.ID) {
			t.Helper()
			for _, p := range ids {
				require.NoError(t, sel.Report(p, protocols.LightPush, lightPush(t.Context(), client, p, shard)))
			}
		}
		send := func(shard shardmesh.Shard) []peer.ID {
			t.Helper()
			ids := selectPush(shard)
			publish(shard, ids)
			return ids
		}

		// Phase 1: the 429 host.
		used := selectPush(shard2)
		require.ElementsMatch(t, []peer.ID{id(5), id(6)}, used, "shard 2 is served by hosts 5 and 6 only")
		discover(4, 0, 2) // host 4 starts serving shard 2 as well: a spare
		before := time.Now()
		publish(shard2, used)
		after := time.Now()
		drain()
		replaced := find(notes, func(e selection.Notification) bool { return e.Kind == selection.NotifyPeerReplaced })
		require.Len(t, replaced, 1)
		require.Equal(t, pid(6), replaced[0].Peer)
		require.Equal(t, selection.OutcomeRateLimited, replaced[0].Outcome)
		require.Equal(t, pid(4), replaced[0].Replacement)
		until, benched := sel.BenchedUntil(id(6), protocols.LightPush)
		require.True(t, benched)
		require.False(t, until.Before(before.Add(10*time.Second)) || until.After(after.Add(10*time.Second)),
			"rate-limit backoff of 10 s from the 429, got until %v (request between %v and %v)", until, before, after)
		rateLimited.Store(false)
		for time.Now().Before(until) {
			require.NotContains(t, send(shard2), id(6), "backed off: no request to the 429 host")
			req := selection.Request{Protocol: protocols.LightPush, Shard: shard2, Count: 1,
				Exclude: []peerid.ID{pid(4), pid(5)}, NoPool: true}
			_, err := sel.Select(t.Context(), req)
			require.ErrorIs(t, err, selection.ErrAllInBackoff)
			time.Sleep(time.Second)
		}
		req := selection.Request{Protocol: protocols.LightPush, Shard: shard2, Count: 1,
			Exclude: []peerid.ID{pid(4), pid(5)}, NoPool: true}
		back, err := sel.Select(t.Context(), req)
		require.NoError(t, err)
		require.Equal(t, []peer.ID{id(6)}, back, "eligible again after its backoff")

		// Phase 2: kill the two light-push peers in use on shard 0.
		victims := send(shard0)
		require.Len(t, victims, 2)
		filterPool, err := sel.Select(t.Context(), selection.ForShard(protocols.FilterSubscribe, shard0, 0))
		require.NoError(t, err)
		require.Equal(t, selection.LightSufficientlyHealthy, sel.Health(shard0))
		var survivors []peer.ID
		for i := 1; i <= 4; i++ {
			if !slices.Contains(victims, id(i)) {
				survivors = append(survivors, id(i))
			}
		}
		drain()
		notes = nil
		killedAt := time.Now()
		for _, v := range victims {
			require.NoError(t, nw.Node(hosts[v]).Close())
		}
		members := func(proto protocol.ID) []peer.ID {
			var out []peer.ID
			for _, m := range sel.Pool(proto, shard0) {
				out = append(out, peer.ID(m.ID))
			}
			return out
		}
		settled := func(proto protocol.ID) bool {
			ms := sel.Pool(proto, shard0)
			if len(ms) != 2 {
				return false
			}
			for _, m := range ms {
				if slices.Contains(victims, peer.ID(m.ID)) || !m.Live {
					return false
				}
			}
			return true
		}
		var pushAt, filterAt time.Duration
		for step := 0; step < 60 && (pushAt == 0 || filterAt == 0); step++ {
			time.Sleep(500 * time.Millisecond)
			if pushAt == 0 && settled(protocols.LightPush) {
				pushAt = time.Since(killedAt)
			}
			if filterAt == 0 && settled(protocols.FilterSubscribe) {
				filterAt = time.Since(killedAt)
			}
		}
		drain()
		t.Logf("light-push pool settled %v after the kill, filter pool %v (keep-alive every %v, timeout %v)",
			pushAt, filterAt, interval, timeout)
		require.NotZero(t, pushAt, "light-push pool never moved to live peers: %v", members(protocols.LightPush))
		require.NotZero(t, filterAt, "filter pool never moved to live peers: %v", members(protocols.FilterSubscribe))
		// Light push: 1 failure, the lost connection, seen as soon as the
		// connection closes (at worst by the next keep-alive ping).
		require.LessOrEqual(t, pushAt, interval+timeout)
		// Filter: 2 failures; the lost connection and one failed ping.
		killedFilter := slices.ContainsFunc(filterPool, func(p peer.ID) bool { return slices.Contains(victims, p) })
		require.True(t, killedFilter || filterAt <= time.Second, "filter pool %v", filterPool)
		require.LessOrEqual(t, filterAt, interval+timeout+time.Second)
		require.ElementsMatch(t, survivors, members(protocols.LightPush))
		require.ElementsMatch(t, survivors, members(protocols.FilterSubscribe))
		for _, e := range notes {
			require.NotContains(t, victims, peer.ID(e.Replacement), "a pool never moves to a killed peer (%v)", e)
		}
		for _, v := range victims {
			_, benched := sel.BenchedUntil(v, protocols.LightPush)
			require.True(t, benched, "a killed peer is benched")
		}
		for _, p := range send(shard0) {
			require.Contains(t, survivors, p)
		}
		require.Equal(t, selection.LightSufficientlyHealthy, sel.Health(shard0))
		st := sel.Stats()
		require.Zero(t, st.NotificationsDropped)
	})
}

type timedNote struct {
	at time.Time
	selection.Notification
}

func find(evs []timedNote, f func(selection.Notification) bool) []timedNote {
	var out []timedNote
	for _, e := range evs {
		if f(e.Notification) {
			out = append(out, e)
		}
	}
	return out
}

// lightPush sends a minimal light push v3 request (request_id 1,
// pubsub_topic 20, message 21) and maps the response's status_code (10) to
// an outcome.
func lightPush(ctx context.Context, h host.Host, p peer.ID, shard shardmesh.Shard) selection.Outcome {
	msg := protowire.AppendTag(nil, 1, protowire.BytesType)
	msg = protowire.AppendBytes(msg, []byte("hello"))
	msg = protowire.AppendTag(msg, 2, protowire.BytesType)
	msg = protowire.AppendString(msg, "/toychat/2/huilong/proto")
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, "req-1")
	req = protowire.AppendTag(req, 20, protowire.BytesType)
	req = protowire.AppendString(req, shard.PubsubTopic())
	req = protowire.AppendTag(req, 21, protowire.BytesType)
	req = protowire.AppendBytes(req, msg)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := h.NewStream(ctx, p, protocols.LightPush)
	if err != nil {
		return selection.OutcomeDialFailed
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(5 * time.Second))
	if err := writeDelimited(s, req); err != nil {
		return selection.OutcomeTimeout
	}
	resp, err := readDelimited(bufio.NewReader(s))
	if err != nil {
		return selection.OutcomeTimeout
	}
	code, err := statusCode(resp)
	if err != nil {
		return selection.OutcomeTimeout
	}
	return selection.OutcomeOfStatus(code)
}

// serveStatus answers every request of proto with a response carrying the
// request's id (field 1) and status() as status_code (field 10): the shape
// of light push v3 and filter v2 responses.
func serveStatus(h host.Host, proto protocol.ID, status func() uint32) {
	h.SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(5 * time.Second))
		req, err := readDelimited(bufio.NewReader(s))
		if err != nil {
			_ = s.Reset()
			return
		}
		var id string
		for b := req; len(b) > 0; {
			num, typ, n := protowire.ConsumeTag(b)
			if n < 0 {
				break
			}
			b = b[n:]
			if num == 1 && typ == protowire.BytesType {
				v, m := protowire.ConsumeString(b)
				if m < 0 {
					break
				}
				id = v
			}
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				break
			}
			b = b[m:]
		}
		resp := protowire.AppendTag(nil, 1, protowire.BytesType)
		resp = protowire.AppendString(resp, id)
		resp = protowire.AppendTag(resp, 10, protowire.VarintType)
		resp = protowire.AppendVarint(resp, uint64(status()))
		_ = writeDelimited(s, resp)
	})
}

func statusCode(resp []byte) (uint32, error) {
	for b := resp; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		if num == 10 && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, protowire.ParseError(m)
			}
			return uint32(v), nil
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return 0, protowire.ParseError(m)
		}
		b = b[m:]
	}
	return 0, errors.New("no status_code")
}

const maxTestMessage = 64 << 10

func writeDelimited(w io.Writer, b []byte) error {
	buf := binary.AppendUvarint(nil, uint64(len(b)))
	_, err := w.Write(append(buf, b...))
	return err
}

func readDelimited(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxTestMessage {
		return nil, fmt.Errorf("message of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}
