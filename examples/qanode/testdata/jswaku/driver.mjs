// driver.mjs runs js-waku light nodes against wakupm service nodes for the
// interop tests of examples/qanode (jswaku_test.go). It takes one JSON
// argument and prints one JSON object per line on stdout: every event with
// t, the milliseconds since start. It never runs longer than cfg.deadlineMs.
//
// cfg: {peers: [multiaddr], cluster, shard, contentTopic, clients,
//       mode: "basic" | "subscribe" | "wait" | "dial", waitMs, deadlineMs, holdMs,
//       jsDefaults}
//   jsDefaults: keep js-waku's default libp2p options but the muxer (its
//              address filter keeps only /wss; for a node listening on it).
//   basic:     client 0 subscribes, prints "subscribed", light-pushes
//              cfg.push, and waits for one filter message.
//   subscribe: every client subscribes once, prints the outcome, holds its
//              subscription for holdMs, then stops (frees the slot).
//   wait:      every client connects, waits waitMs, then subscribes.
//   dial:      client 0 dials cfg.peers (printing dialed or dial-failed)
//              and stops.
import { createLightNode, utf8ToBytes, bytesToUtf8 } from "@waku/sdk";
import { yamux } from "@chainsafe/libp2p-yamux";
import { multiaddr } from "@multiformats/multiaddr";

const cfg = JSON.parse(process.argv[2]);
const t0 = Date.now();
const out = (o) => console.log(JSON.stringify({ t: Date.now() - t0, ...o }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
setTimeout(() => { out({ event: "deadline" }); process.exit(3); }, cfg.deadlineMs).unref();

async function makeNode(i) {
  // js-waku's default muxer is mplex, which go-libp2p v0.51 dropped; yamux
  // is the one both sides have. filterMultiaddrs: false keeps plain /ws.
  const libp2p = cfg.jsDefaults
    ? { streamMuxers: [yamux()] }
    : { streamMuxers: [yamux()], filterMultiaddrs: false, hideWebSocketInfo: true };
  const node = await createLightNode({
    networkConfig: { clusterId: cfg.cluster },
    defaultBootstrap: false,
    libp2p,
  });
  node.libp2p.addEventListener("connection:open", (e) => out({ client: i, event: "conn-open", peer: e.detail.remotePeer.toString() }));
  node.libp2p.addEventListener("connection:close", (e) => out({ client: i, event: "conn-close", peer: e.detail.remotePeer.toString() }));
  await node.start();
  for (const p of cfg.peers) {
    const td = Date.now();
    try {
      await node.libp2p.dial(multiaddr(p));
      out({ client: i, event: "dialed", peer: p, ms: Date.now() - td });
    } catch (err) {
      out({ client: i, event: "dial-failed", peer: p, error: String(err?.message ?? err) });
    }
  }
  return node;
}

// waitForProtocol waits until a connected peer lists proto in identify
// (js-waku's waitForPeers resolves on any connection, so it is not used).
async function waitForProtocol(node, proto, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const c of node.libp2p.getConnections()) {
      try {
        const p = await node.libp2p.peerStore.get(c.remotePeer);
        if (p.protocols.includes(proto)) return true;
      } catch {}
    }
    await sleep(50);
  }
  return false;
}

// ensureConnected redials cfg.peers until a connection is open: a client
// the node closed at the end of its grace period (it was refused a slot)
// is refused for one more grace period (RFC SLOT-12), then let in again.
async function ensureConnected(node, i, ms) {
  const end = Date.now() + ms;
  while (node.libp2p.getConnections().length === 0 && Date.now() < end) {
    for (const p of cfg.peers) {
      try {
        await node.libp2p.dial(multiaddr(p));
        out({ client: i, event: "redialed", peer: p });
      } catch {}
    }
    if (node.libp2p.getConnections().length === 0) await sleep(500);
  }
}

async function subscribe(node, i, onMessage, contentTopic = cfg.contentTopic) {
  const decoder = node.createDecoder({ contentTopic, shardId: cfg.shard });
  await waitForProtocol(node, "/vac/waku/filter-subscribe/2.0.0-beta1", 5000);
  const t = Date.now();
  let ok = false, error;
  try {
    ok = await node.filter.subscribe(decoder, onMessage);
  } catch (err) {
    error = String(err?.message ?? err);
  }
  out({ client: i, event: "subscribe", ok, error, ms: Date.now() - t });
  return ok;
}

async function basic() {
  const node = await makeNode(0);
  let got;
  const received = new Promise((resolve) => { got = resolve; });
  await subscribe(node, 0, (m) => { out({ client: 0, event: "message", payload: bytesToUtf8(m.payload), pubsubTopic: m.pubsubTopic }); got(); });
  // What js-waku's metadata handshake stored for the service node. The node
  // starts it on connect; it may finish after a fast subscribe (up to 2 s).
  for (const c of node.libp2p.getConnections()) {
    const confirmed = () => node.libp2p.services.metadata?.handshakesConfirmed?.get(c.remotePeer.toString());
    for (let end = Date.now() + 2000; !confirmed() && Date.now() < end;) await sleep(20);
    const info = confirmed();
    out({ client: 0, event: "metadata", peer: c.remotePeer.toString(), cluster: info?.clusterId ?? -1, shards: info?.shards ?? [] });
  }
  out({ client: 0, event: "subscribed" });
  await waitForProtocol(node, "/vac/waku/lightpush/3.0.0", 5000);
  const encoder = node.createEncoder({ contentTopic: cfg.contentTopic, shardId: cfg.shard });
  const res = await node.lightPush.send(encoder, { payload: utf8ToBytes(cfg.push) });
  out({ client: 0, event: "lightpush", successes: res.successes.length, failures: res.failures.map((f) => f.error) });
  await received;
  await node.stop();
}

async function subscribeAll() {
  const nodes = await Promise.all([...Array(cfg.clients).keys()].map(makeNode));
  const results = await Promise.all(nodes.map((n, i) => subscribe(n, i, () => {})));
  out({ event: "summary", served: results.filter(Boolean).length, refused: results.filter((r) => !r).length });
  await sleep(cfg.holdMs);
  for (const [i, n] of nodes.entries()) {
    if (results[i]) { await n.stop(); out({ client: i, event: "stopped" }); }
  }
  // The refused ones try again once the served ones left, on a second
  // content topic: js-waku answers a repeated subscribe() of the same
  // decoder with true without asking the server (sdk filter/subscription.js
  // add: "subscription, most likely exists"), even after a refusal.
  const retryTopic = cfg.contentTopic.replace(/\/proto$/, "-retry/proto");
  const again = await Promise.all(nodes.map(async (n, i) => {
    if (results[i]) return null;
    await ensureConnected(n, i, 25000);
    return subscribe(n, i, () => {}, retryTopic);
  }));
  out({ event: "retry-summary", served: again.filter((r) => r === true).length });
  await Promise.all(nodes.map((n, i) => (results[i] ? null : n.stop())));
}

async function wait() {
  const node = await makeNode(0);
  await sleep(cfg.waitMs);
  out({ client: 0, event: "connections", open: node.libp2p.getConnections().length });
  await subscribe(node, 0, () => {});
  await node.stop();
}

async function dial() {
  const node = await makeNode(0);
  await node.stop();
}

const modes = { basic, subscribe: subscribeAll, wait, dial };
try {
  await modes[cfg.mode]();
  out({ event: "done" });
  process.exit(0);
} catch (err) {
  out({ event: "error", error: String(err?.stack ?? err) });
  process.exit(2);
}
