package selector_test

import (
	"bufio"
	"context"
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

// A status-go-like light client (StatusPreset: cluster 16, light push v2
// and v3) and four service nodes on shard 32, all announcing the one ENR
// `lightpush` bit: node 1 speaks only v2 and answers "TOO_MANY_REQUESTS"
// (nwaku's legacy rate-limit info), node 2 speaks both, node 3 only v3,
// node 4 only v2 (a spare, discovered later).
//
//   - before identify nobody is offered for either version: the bit does
//     not say which one a node speaks;
//   - the v3-only node is never returned for v2, however often asked;
//   - the rate-limited v2 node is replaced at once by the spare and
//     benched for the rate-limit time; SelectVersion falls back to v2 for
//     a shard with no v3 peer.
func TestLightPushV2NextToV3(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 5, simhost.WithoutPubsub())
		client := nw.Node(0).Host
		shard := shardmesh.Shard{Cluster: selection.StatusCluster, Index: selection.StatusDefaultShard}
		speaks := map[int][]protocol.ID{
			1: {protocols.LightPushLegacy},
			2: {protocols.LightPushLegacy, protocols.LightPush},
			3: {protocols.LightPush},
			4: {protocols.LightPushLegacy},
		}
		for i, protos := range speaks {
			for _, p := range protos {
				if p == protocols.LightPushLegacy {
					info := "OK"
					if i == 1 {
						info = "TOO_MANY_REQUESTS"
					}
					serveV2(nw.Node(i).Host, i != 1, info)
				} else {
					serveStatus(nw.Node(i).Host, p, func() uint32 { return 200 })
				}
			}
		}
		sel, err := selector.New(selector.WithHost(client), selector.WithConfig(selection.StatusPreset()))
		require.NoError(t, err)
		defer sel.Close()
		discover := func(i int) {
			n := nw.Node(i)
			client.Peerstore().AddAddrs(n.ID(), n.Host.Addrs(), peerstore.PermanentAddrTTL)
			set, _ := shardmesh.ShardSetOf(shard.Index)
			require.NoError(t, sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginPeerExchange,
				HasENR: true, Cluster: shard.Cluster, HasShards: true, Shards: set, Caps: shardmesh.CapLightPush}))
		}
		for i := 1; i <= 3; i++ {
			discover(i)
		}
		for _, v := range selection.LightPushVersions {
			_, err := sel.Select(t.Context(), selection.ForShard(v, shard, 1))
			require.ErrorIs(t, err, selection.ErrNoPeerSupportsProtocol, "%s before identify", v)
		}
		for i := 1; i <= 3; i++ {
			require.NoError(t, nw.Connect(t.Context(), 0, i))
		}
		time.Sleep(time.Second) // identify

		v2, err := sel.Select(t.Context(), selection.ForShard(protocols.LightPushLegacy, shard, 0))
		require.NoError(t, err)
		require.ElementsMatch(t, []peer.ID{nw.Node(1).ID(), nw.Node(2).ID()}, v2)
		for range 20 {
			req := selection.Request{Protocol: protocols.LightPushLegacy, Shard: shard, Count: 3, NoPool: true}
			ids, err := sel.Select(t.Context(), req)
			require.NoError(t, err)
			require.NotContains(t, ids, nw.Node(3).ID(), "a v3-only node is never returned for v2")
		}
		require.True(t, sel.Speaks(nw.Node(3).ID(), protocols.LightPush))
		require.False(t, sel.Speaks(nw.Node(3).ID(), protocols.LightPushLegacy))

		discover(4)
		require.NoError(t, nw.Connect(t.Context(), 0, 4))
		time.Sleep(time.Second)
		before := time.Now()
		for _, p := range v2 {
			ok, info := pushV2(t.Context(), client, p, shard)
			require.NoError(t, sel.Report(p, protocols.LightPushLegacy, selection.OutcomeOfLightPushV2(ok, info)))
		}
		after := time.Now()
		pool := sel.Pool(protocols.LightPushLegacy, shard)
		require.Len(t, pool, 2)
		ids := []peer.ID{peer.ID(pool[0].ID), peer.ID(pool[1].ID)}
		require.ElementsMatch(t, []peer.ID{nw.Node(2).ID(), nw.Node(4).ID()}, ids, "the rate-limited node replaced at once by the spare")
		until, benched := sel.BenchedUntil(nw.Node(1).ID(), protocols.LightPushLegacy)
		require.True(t, benched)
		require.False(t, until.Before(before.Add(10*time.Second)) || until.After(after.Add(10*time.Second)),
			"benched for the rate-limit time (10 s), until %v, pushed between %v and %v", until, before, after)

		// Shard 64: only v2 speakers there; SelectVersion falls back.
		other := shardmesh.Shard{Cluster: selection.StatusCluster, Index: selection.StatusNonProtectedShard}
		set, _ := shardmesh.ShardSetOf(other.Index)
		sel.MetadataReceived(nw.Node(4).ID(), other.Cluster, set)
		got, version, err := sel.SelectVersion(t.Context(), selection.ForShard("", other, 1), selection.LightPushVersions[:]...)
		require.NoError(t, err)
		require.Equal(t, protocol.ID(protocols.LightPushLegacy), version)
		require.Equal(t, []peer.ID{nw.Node(4).ID()}, got)
	})
}

// serveV2 answers light push v2 (PushRPC: request_id 1, response 3 with
// is_success 1 and info 2) with the given result.
func serveV2(h host.Host, ok bool, info string) {
	h.SetStreamHandler(protocols.LightPushLegacy, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := readDelimited(bufio.NewReader(s)); err != nil {
			_ = s.Reset()
			return
		}
		resp := protowire.AppendTag(nil, 1, protowire.VarintType)
		resp = protowire.AppendVarint(resp, protowire.EncodeBool(ok))
		resp = protowire.AppendTag(resp, 2, protowire.BytesType)
		resp = protowire.AppendString(resp, info)
		rpc := protowire.AppendTag(nil, 1, protowire.BytesType)
		rpc = protowire.AppendString(rpc, "N/A")
		rpc = protowire.AppendTag(rpc, 3, protowire.BytesType)
		rpc = protowire.AppendBytes(rpc, resp)
		_ = writeDelimited(s, rpc)
	})
}

// pushV2 sends a minimal light push v2 request and returns the response's
// is_success and info.
func pushV2(ctx context.Context, h host.Host, p peer.ID, shard shardmesh.Shard) (bool, string) {
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, shard.PubsubTopic())
	rpc := protowire.AppendTag(nil, 1, protowire.BytesType)
	rpc = protowire.AppendString(rpc, "req-1")
	rpc = protowire.AppendTag(rpc, 2, protowire.BytesType)
	rpc = protowire.AppendBytes(rpc, req)
	s, err := h.NewStream(ctx, p, protocols.LightPushLegacy)
	if err != nil {
		return false, "dial: " + err.Error()
	}
	defer s.Close()
	if err := writeDelimited(s, rpc); err != nil {
		return false, err.Error()
	}
	b, err := readDelimited(bufio.NewReader(s))
	if err != nil {
		return false, err.Error()
	}
	ok, info := false, ""
	for _, f := range fields(b) {
		if f.num == 3 {
			for _, g := range fields(f.val) {
				switch g.num {
				case 1:
					ok = g.varint != 0
				case 2:
					info = string(g.val)
				}
			}
		}
	}
	return ok, info
}

type field struct {
	num    protowire.Number
	val    []byte
	varint uint64
}

func fields(b []byte) []field {
	var out []field
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return out
		}
		b = b[n:]
		f := field{num: num}
		switch typ {
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return out
			}
			f.varint, b = v, b[m:]
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return out
			}
			f.val, b = v, b[m:]
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return out
			}
			b = b[m:]
		}
		out = append(out, f)
	}
	return out
}
