// Command qanode is a Waku relay node for QA: a static community on its own
// dedicated shard, optionally protected by a pre-shared key, driven through
// a JSON REST API. It is a real go-libp2p host running GossipSub with Waku
// relay parameters (internal/wakugossip, /vac/waku/relay/2.0.0, peer
// scoring), the per-shard mesh Tracker (shardmesh), the connection budget
// and gater (slots, slots/gater), the relay peer manager with static peers
// (peermanager.Manager) and every Prometheus collector (metrics).
//
//	qanode -listen /ip4/127.0.0.1/tcp/60001 -rest 127.0.0.1:8645 -cluster 16 -shard 32 \
//	       [-peer /ip4/…/tcp/…/p2p/<id>]… [-protected-shard 32:<hex public key>]… \
//	       [-shard-signing-key 32:<hex private key>]… [-protected-shard-previous 32:<hex public key>:10m]… \
//	       [-nodekey <hex>] \
//	       [-max-connections 50] [-colocation-limit 5] [-buffer 200] \
//	       [-no-replay-protection] [-log-level info] \
//	       [-nodekey-file F] [-shard-signing-key-file 32:F]… \
//	       [-rest-public] [-rest-allowed-host H]… [-rest-token-file F]
//	qanode -genkey    # prints a new shard key pair as JSON
//	qanode communities [-nodes 6] [-communities 2] [-first-shard 200] [-duration 0] [-keys-out F]
//
// "qanode communities" starts N nodes in one process on M protected
// community shards (each with a new key pair; a community's first node is
// its owner and signs) and the shared shard 32, prints each node's page and
// REST URLs, and stops them all on SIGINT, SIGTERM or after -duration: many
// communities for QA on one machine.
//
// It prints its peer id, its listen addresses with /p2p/<id> (what other
// nodes take as -peer) and the REST address, and stops cleanly on SIGINT or
// SIGTERM.
//
// A secure websocket -listen address (/wss or /tls/ws, what js-waku keeps by
// default and browsers need) takes its certificate and key from
// -ws-cert-file and -ws-key-file; one without the other, or either without
// such an address, is refused at start.
//
// # Protected shards
//
// A shard protected by a public key relays only messages whose meta is a
// signature by the matching private key (STATUS-SIMPLE-SCALING "DoS
// Protection", as nwaku's --protected-shard and go-waku's
// --protected-topic; see package shardmesh/protected for the hash, the
// checks and their sources). Unsigned, badly signed, stale (|now −
// timestamp| > 5 min) and undecodable messages are rejected, so gossipsub
// penalises whoever sends them (P4). Unlike nwaku and go-waku, the node
// also ignores replays of an accepted message for the whole 5 min window,
// verbatim after gossipsub's 2 min seen cache or with a changed version
// (not covered by the signature) at once; -no-replay-protection restores
// their behaviour to reproduce it. A node that holds the private key signs
// what it publishes on the shard. Unprotected shards accept any decodable
// WakuMessage.
//
// A key rotation need not be simultaneous: POST /admin/protected-shards with
// "keepPreviousKeyFor", or -protected-shard-previous at start, keeps the old
// key accepted for a while next to the new one (COMMUNITY.md, section 7).
//
// # REST API
//
// JSON in and out; errors are {"error": "..."} with 400 for bad input (the
// message says what to fix; a query string on an endpoint that takes none
// is bad input), 404 for a shard not subscribed, 409 for a
// replay, 413 for oversized bodies or messages, 503 while shutting down. A
// {shard} in a path is an index of the node's cluster (32) or a URL-escaped
// pubsub topic (%2Fwaku%2F2%2Frs%2F16%2F32).
//
// The admin endpoints take private keys, so the API refuses what a browser
// could be tricked into sending: a Host that is not loopback (DNS
// rebinding; 421) unless named by -rest-allowed-host, a foreign Origin
// (403), and a body that is not application/json (415). With
// -rest-token-file (or $QANODE_REST_TOKEN) every request needs
// "Authorization: Bearer <token>" (401). A -rest address that is not
// loopback is refused unless -rest-public is given. Stalled or idle
// clients are cut off (10 s to read a request, 60 s idle). Keys can be
// read from files (-nodekey-file, -shard-signing-key-file) so that they do
// not show in ps.
//
//	GET    /health                  node health (weakest subscribed shard) and, per shard: health level,
//	                                mesh/outbound/low-score mesh peers, connected relay peers, floor,
//	                                protected, canSign, the reason for the level; the mesh degrees
//	                                (D, Dlo, Dout) and health cut-offs
//	GET    /info, /debug/v1/info    peer id, listen addresses with /p2p/<id>, cluster, shards, uptime
//	GET    /shards                  the mesh tracker's snapshot: node summary, thresholds, per-shard
//	                                mesh figures, event counters
//	GET    /peers                   the relay peer manager's snapshot (policy, relay peers per shard and
//	                                floors, dials, disconnects, discovery), the connection budget, slots,
//	                                peers per budget class, refused connections, and every connected
//	                                peer (direction, class, shards where it is in our mesh)
//	GET    /slots                   the connection budget and its use: budget parts, connected peers
//	                                by class, each service pool (slots, in use, free, per-peer and
//	                                per-prefix caps, leases per client prefix, admitted, rejected by
//	                                reason), peers per address
//	                                prefix against -colocation-limit, connections refused by reason
//	GET    /bandwidth               gossipsub bytes since start per direction: data, control, other,
//	                                by message type and by shard; bytes per libp2p protocol
//	GET    /                        the node page (HTML): the above, readable by a person; its files
//	                                under /ui/ need no token, the API calls it makes do
//	POST   /relay/subscribe         body: JSON array of shards, e.g. [32, "/waku/2/rs/16/33"]; all are
//	                                checked before any is joined; answers {"subscribed": [...]}
//	DELETE /relay/subscribe         same body; leaves the shards (their buffers are dropped)
//	POST   /relay/publish/{shard}   body: {"payload": base64 (required, "" allowed), "contentTopic":
//	                                "/app/1/name/proto" (required), "timestamp": Unix ns (default now),
//	                                "version", "ephemeral", "meta": base64 (≤ 64 bytes)}; on a protected
//	                                shard the node signs when it holds the key and meta is absent, and
//	                                refuses what its peers would reject; answers {pubsubTopic,
//	                                messageHash (14/WAKU2-MESSAGE), timestamp, signed, topicPeers,
//	                                meshPeers}
//	GET    /relay/messages/{shard}  the last -buffer messages received (own ones included), oldest
//	                                first: ?since=<seq> for newer ones only, ?limit=<n>; answers
//	                                {pubsubTopic, messages: [{seq, payload, contentTopic, version,
//	                                timestamp, ephemeral, meta, messageHash, from, receivedAt}], next,
//	                                lost}: pass next as since to poll, lost counts overwritten ones
//	POST   /admin/protected-shards  body: {"shard": 32 | "pubsubTopic": "...", "publicKey": hex (65 or
//	                                33 bytes), "privateKey": hex (32 bytes), "keepPreviousKeyFor":
//	                                "10m"}: at least one key; with the private key the node also signs;
//	                                on a shard protected with another key, the replaced key stays
//	                                accepted for keepPreviousKeyFor (Go duration, up to 24h; absent:
//	                                refused at once). Answers the shard's protection with its counters
//	                                (accepted, of which acceptedPreviousKey; rejected and ignored by
//	                                reason) and, during a rotation, previousPublicKey and
//	                                previousKeyAcceptedUntil
//	GET    /admin/protected-shards  every protected shard with its counters
//	DELETE /admin/protected-shards/{shard}  lifts the protection
//	POST   /admin/keygen            a new key pair {privateKey, publicKey} (the community owner's step)
//	GET    /metrics                 Prometheus: tracker, peer manager, slots, bandwidth (by gossipsub
//	                                message type and shard: data, ihave, iwant, graft, prune, idontwant,
//	                                subscription, overhead; and by libp2p protocol), protected-shard
//	                                outcomes, messages received, Go runtime (-no-go-metrics drops it)
//
// nwaku's REST endpoints are also served for existing QA tooling: POST and
// DELETE /relay/v1/subscriptions (array of pubsub topics), POST
// /relay/v1/messages/{topic} (same body as publish) and GET
// /relay/v1/messages/{topic} (messages received since the previous call).
//
// # Peers
//
// The node connects to its -peer static peers and keeps them; there is no
// discv5 or peer exchange. Peers learn each other's shards from the
// metadata protocol; since the peer manager only exchanges metadata when a
// connection opens, the node sends its metadata again to every connected
// peer after each subscription change, so that shards subscribed through
// the API count at once.
//
// # Light clients
//
// With -serve filter,lightpush the node serves filter v2 and light push v3
// and v2 (package service) behind its reserved slots; GET /slots shows
// their occupancy and refusals. It serves no store. A light client that
// connects before it asks for a service waits in a bounded pool instead of
// being closed after the gater's grace (-waiting-clients); without -serve
// the reserved slots stay empty and such clients are closed after the
// grace.
package main
