package main

import (
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh"
)

// Handler returns the REST API (see the package documentation for every
// endpoint).
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", noQuery(n.getHealth))
	mux.HandleFunc("GET /info", noQuery(n.getInfo))
	mux.HandleFunc("GET /debug/v1/info", noQuery(n.getInfo))
	mux.HandleFunc("GET /shards", noQuery(n.getShards))
	mux.HandleFunc("GET /peers", noQuery(n.getPeers))
	mux.HandleFunc("POST /relay/subscribe", n.postSubscribe)
	mux.HandleFunc("DELETE /relay/subscribe", n.deleteSubscribe)
	mux.HandleFunc("POST /relay/publish/{shard}", n.postPublish)
	mux.HandleFunc("GET /relay/messages/{shard}", n.getMessages)
	mux.HandleFunc("POST /admin/protected-shards", n.postProtected)
	mux.HandleFunc("GET /admin/protected-shards", n.getProtected)
	mux.HandleFunc("DELETE /admin/protected-shards/{shard}", n.deleteProtected)
	mux.HandleFunc("POST /admin/keygen", n.postKeygen)
	// nwaku's REST API (waku-org/waku-rest-api), for existing QA tooling.
	mux.HandleFunc("POST /relay/v1/subscriptions", n.postSubscribe)
	mux.HandleFunc("DELETE /relay/v1/subscriptions", n.deleteSubscribe)
	mux.HandleFunc("POST /relay/v1/messages/{shard}", n.postPublish)
	mux.HandleFunc("GET /relay/v1/messages/{shard}", n.getMessagesV1)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /slots", noQuery(n.getSlots))
	mux.HandleFunc("GET /bandwidth", noQuery(n.getBandwidth))
	return n.withPage(restGuard{hosts: n.cfg.restHosts, token: n.cfg.restToken}.wrap(mux))
}

type shardHealthJSON struct {
	Shard               uint16 `json:"shard"`
	PubsubTopic         string `json:"pubsubTopic"`
	Health              string `json:"health"`
	MeshPeers           int    `json:"meshPeers"`
	OutboundMeshPeers   int    `json:"outboundMeshPeers"`
	LowScoreMeshPeers   int    `json:"lowScoreMeshPeers"`
	ConnectedRelayPeers int    `json:"connectedRelayPeers"`
	Floor               int    `json:"floor"`
	Protected           bool   `json:"protected"`
	CanSign             bool   `json:"canSign"`
	// Reason explains the level (healthReason).
	Reason string `json:"reason"`
}

type healthJSON struct {
	NodeHealth     string            `json:"nodeHealth"`
	ConnectedPeers int               `json:"connectedPeers"`
	Shards         []shardHealthJSON `json:"shards"`
	Mesh           meshDegreesJSON   `json:"mesh"`
}

// getHealth: the node's health (its weakest subscribed shard, unhealthy
// with none) and each subscribed shard's mesh.
func (n *Node) getHealth(w http.ResponseWriter, _ *http.Request) {
	relaySnap := n.manager.Snapshot()
	out := healthJSON{
		NodeHealth:     n.tracker.NodeHealth().Health.String(),
		ConnectedPeers: len(n.host.Network().Peers()),
		Shards:         []shardHealthJSON{},
		Mesh:           meshDegrees(n.tracker.Thresholds()),
	}
	for _, h := range n.tracker.Snapshot() {
		if h.Shard.Cluster != n.cfg.cluster {
			continue
		}
		s := shardHealthJSON{
			Shard: h.Shard.Index, PubsubTopic: h.Shard.PubsubTopic(), Health: h.Health.String(),
			MeshPeers: h.MeshPeers, OutboundMeshPeers: h.OutboundMeshPeers, LowScoreMeshPeers: h.LowScoreMeshPeers,
		}
		if i := slices.IndexFunc(relaySnap.Shards, func(r peermanagerShard) bool { return r.Shard == h.Shard }); i >= 0 {
			s.ConnectedRelayPeers = relaySnap.Shards[i].Inbound + relaySnap.Shards[i].Outbound
			s.Floor = relaySnap.Shards[i].Floor
		}
		if p := n.protection(h.Shard.Index); p != nil {
			s.Protected, s.CanSign = true, p.signer != nil
		}
		s.Reason = healthReason(s, out.Mesh)
		out.Shards = append(out.Shards, s)
	}
	writeJSON(w, http.StatusOK, out)
}

type infoJSON struct {
	PeerID          string   `json:"peerId"`
	ListenAddresses []string `json:"listenAddresses"`
	Cluster         uint16   `json:"cluster"`
	Shards          []uint16 `json:"shards"`
	UptimeSeconds   int64    `json:"uptimeSeconds"`
}

func (n *Node) getInfo(w http.ResponseWriter, _ *http.Request) {
	out := infoJSON{PeerID: n.selfID().String(), Cluster: n.cfg.cluster, Shards: nonNilShards(n.subscribed()),
		UptimeSeconds: int64(time.Since(n.started).Seconds())}
	for _, a := range n.host.Addrs() {
		out.ListenAddresses = append(out.ListenAddresses, a.String()+"/p2p/"+n.selfID().String())
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNilShards(s []uint16) []uint16 {
	if s == nil {
		return []uint16{}
	}
	return s
}

// getShards: the mesh tracker's snapshot as it is.
func (n *Node) getShards(w http.ResponseWriter, _ *http.Request) {
	type shardJSON struct {
		PubsubTopic       string `json:"pubsubTopic"`
		Cluster           uint16 `json:"cluster"`
		Shard             uint16 `json:"shard"`
		MeshPeers         int    `json:"meshPeers"`
		OutboundMeshPeers int    `json:"outboundMeshPeers"`
		LowScoreMeshPeers int    `json:"lowScoreMeshPeers"`
		Health            string `json:"health"`
	}
	node := n.tracker.NodeHealth()
	out := struct {
		Node struct {
			Health              string `json:"health"`
			Shards              int    `json:"shards"`
			Unhealthy           int    `json:"unhealthy"`
			MinimallyHealthy    int    `json:"minimallyHealthy"`
			SufficientlyHealthy int    `json:"sufficientlyHealthy"`
		} `json:"node"`
		Thresholds shardmesh.Thresholds   `json:"thresholds"`
		Shards     []shardJSON            `json:"shards"`
		Stats      shardmesh.TrackerStats `json:"stats"`
	}{Thresholds: n.tracker.Thresholds(), Stats: n.tracker.Stats(), Shards: []shardJSON{}}
	out.Node.Health, out.Node.Shards = node.Health.String(), node.Shards
	out.Node.Unhealthy, out.Node.MinimallyHealthy, out.Node.SufficientlyHealthy = node.Unhealthy, node.MinimallyHealthy, node.SufficientlyHealthy
	for _, h := range n.tracker.Snapshot() {
		out.Shards = append(out.Shards, shardJSON{PubsubTopic: h.Shard.PubsubTopic(), Cluster: h.Shard.Cluster, Shard: h.Shard.Index,
			MeshPeers: h.MeshPeers, OutboundMeshPeers: h.OutboundMeshPeers, LowScoreMeshPeers: h.LowScoreMeshPeers, Health: h.Health.String()})
	}
	writeJSON(w, http.StatusOK, out)
}

// postSubscribe subscribes to a JSON array of shards, each an index or a
// pubsub topic. Every entry is checked before any subscription is made.
func (n *Node) postSubscribe(w http.ResponseWriter, r *http.Request) {
	shards, err := restbody.ShardList(w, r, n.cfg.cluster)
	if err == nil {
		for _, s := range shards {
			if err = n.Subscribe(s); err != nil {
				break
			}
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]uint16{"subscribed": nonNilShards(n.subscribed())})
}

func (n *Node) deleteSubscribe(w http.ResponseWriter, r *http.Request) {
	shards, err := restbody.ShardList(w, r, n.cfg.cluster)
	if err == nil {
		for _, s := range shards {
			if err = n.Unsubscribe(s); err != nil {
				break
			}
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]uint16{"subscribed": nonNilShards(n.subscribed())})
}

type publishedJSON struct {
	PubsubTopic string `json:"pubsubTopic"`
	MessageHash string `json:"messageHash"`
	Timestamp   int64  `json:"timestamp"`
	Signed      bool   `json:"signed"`
	TopicPeers  int    `json:"topicPeers"`
	MeshPeers   int    `json:"meshPeers"`
}

func (n *Node) postPublish(w http.ResponseWriter, r *http.Request) {
	shard, err := restbody.ShardRef(r.PathValue("shard"), n.cfg.cluster)
	if err != nil {
		writeError(w, err)
		return
	}
	var req restbody.Publish
	if err := restbody.Decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	msg, err := req.Message()
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := n.Publish(r.Context(), shard, msg)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, publishedJSON{PubsubTopic: res.Topic, MessageHash: res.Hash.String(), Timestamp: res.Timestamp,
		Signed: res.Signed, TopicPeers: res.TopicPeers, MeshPeers: res.MeshPeers})
}

type messagesJSON struct {
	PubsubTopic string         `json:"pubsubTopic"`
	Messages    []receivedJSON `json:"messages"`
	// Next is the sequence number to pass as since to get only newer ones.
	Next uint64 `json:"next"`
	// Lost counts messages after since that the buffer overwrote.
	Lost uint64 `json:"lost"`
}

// getMessages returns buffered messages, oldest first: ?since=<seq> keeps
// those after a sequence number, ?limit=<n> the first n of them.
func (n *Node) getMessages(w http.ResponseWriter, r *http.Request) {
	shard, err := restbody.ShardRef(r.PathValue("shard"), n.cfg.cluster)
	if err != nil {
		writeError(w, err)
		return
	}
	since, err := queryUint(r, "since")
	if err != nil {
		writeError(w, err)
		return
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		writeError(w, err)
		return
	}
	msgs, lost, last, err := n.messages(shard, since, int(min(limit, uint64(n.cfg.buffer))))
	if err != nil {
		writeError(w, err)
		return
	}
	out := messagesJSON{PubsubTopic: shardmesh.Shard{Cluster: n.cfg.cluster, Index: shard}.PubsubTopic(),
		Messages: make([]receivedJSON, 0, len(msgs)), Lost: lost, Next: last}
	for _, m := range msgs {
		out.Messages = append(out.Messages, toReceivedJSON(m))
	}
	if len(msgs) > 0 {
		out.Next = msgs[len(msgs)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
}

// getMessagesV1 is nwaku's GET /relay/v1/messages/{topic}: the messages
// received since the previous call, as a bare array.
func (n *Node) getMessagesV1(w http.ResponseWriter, r *http.Request) {
	shard, err := restbody.ShardRef(r.PathValue("shard"), n.cfg.cluster)
	if err != nil {
		writeError(w, err)
		return
	}
	msgs, err := n.drainV1(shard)
	if err != nil {
		writeError(w, err)
		return
	}
	out := make([]receivedJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, toReceivedJSON(m))
	}
	writeJSON(w, http.StatusOK, out)
}
