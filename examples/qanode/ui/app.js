// The node page: polls the REST API every few seconds and renders it.
// Everything shown comes from GET /health, /info, /slots and /bandwidth;
// text is set with textContent only (peer ids and addresses come from the
// network).
"use strict";

const POLL_MS = 3000;
const HISTORY = 60; // samples kept for the charts (3 minutes)
const LEVELS = {
  sufficiently_healthy: { text: "Sufficiently healthy", mark: "●●●" },
  minimally_healthy: { text: "Minimally healthy", mark: "●●○" },
  unhealthy: { text: "Unhealthy", mark: "●○○" },
};
const DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"];
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"];

let token = sessionStorage.getItem("qanode-token") || "";
let lastOK = null;
let prevBW = null;
const history = []; // {t, type: {data, control, other}, shard: {32: n}}

function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function row(tbody, cells) {
  const tr = el("tr");
  for (const c of cells) {
    const td = c instanceof Node ? c : el("td", c);
    tr.append(td);
  }
  tbody.append(tr);
  return tr;
}

function cell(text, field, label, cls) {
  const attrs = { "data-field": field, "data-label": label };
  if (cls) attrs.class = cls;
  return el("td", text, attrs);
}

class HTTPError extends Error {
  constructor(status, msg) { super(msg); this.status = status; }
}

async function get(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const resp = await fetch(path, { headers, cache: "no-store" });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new HTTPError(resp.status, path + ": " + resp.status + " " + (body.error || resp.statusText));
  return body;
}

function rate(bytes) {
  if (bytes >= 1e6) return (bytes / 1e6).toFixed(1) + " MB/s";
  if (bytes >= 1e3) return (bytes / 1e3).toFixed(1) + " kB/s";
  return Math.round(bytes) + " B/s";
}

function renderShards(health) {
  const m = health.mesh;
  document.getElementById("mesh-degrees").textContent =
    `Gossipsub mesh degree D ${m.d}, Dlo ${m.dlo}, Dout ${m.dout}; minimally healthy from ${m.minimal} counted mesh peer(s), sufficiently from ${m.sufficient}.`;
  const tbody = document.querySelector("#shards tbody");
  tbody.replaceChildren();
  document.getElementById("no-shards").hidden = health.shards.length > 0;
  for (const s of health.shards) {
    const lv = LEVELS[s.health] || { text: s.health, mark: "?" };
    const level = cell("", "health", "Health", "level");
    level.dataset.level = s.health;
    level.append(el("span", lv.mark + " ", { "aria-hidden": "true" }), el("span", lv.text));
    const tr = row(tbody, [
      cell(s.shard + " (" + s.pubsubTopic + ")", "shard", "Shard"),
      level,
      cell(s.reason, "reason", "Why"),
      cell(s.meshPeers + (s.lowScoreMeshPeers ? " (" + s.lowScoreMeshPeers + " low score)" : ""), "meshPeers", "Mesh peers", "num"),
      cell(s.outboundMeshPeers + " (Dout " + m.dout + ")", "outboundMeshPeers", "Outbound mesh", "num"),
      cell(s.connectedRelayPeers + " / " + s.floor, "relayPeers", "Relay peers / floor", "num"),
      cell(s.protected ? "yes" : "no", "protected", "Protected"),
      cell(s.protected ? (s.canSign ? "yes" : "no") : "—", "canSign", "Can sign"),
    ]);
    tr.dataset.shard = s.shard;
  }
}

function renderSlots(sl) {
  const b = sl.budget;
  document.getElementById("budget").textContent =
    `Budget ${b.maxConnections} connections: ${b.relayInbound} relay inbound, ${b.relayOutbound} relay outbound, ` +
    `${Object.values(b.reserved).reduce((a, x) => a + x, 0)} reserved for services, ${b.spare} spare. ` +
    `${sl.connections.total} peers connected.`;
  const sv = document.querySelector("#services tbody");
  sv.replaceChildren();
  for (const s of sl.services) {
    const refused = Object.entries(s.rejected).filter(([, n]) => n > 0).map(([r, n]) => r + " " + n).join(", ") || "none";
    const prefixes = s.prefixes.map((p) => p.prefix + ": " + p.leases).join(", ") || "none";
    row(sv, [s.service, s.inUse + " / " + s.capacity, s.free, prefixes + " (cap " + s.maxPerPrefix + ")", refused]).dataset.service = s.service;
  }
  const cl = document.querySelector("#classes tbody");
  cl.replaceChildren();
  for (const [c, n] of Object.entries(sl.connections.byClass)) row(cl, [c, n]);
  const p = sl.prefixes;
  document.getElementById("prefixes-caption").textContent =
    `Peers per address prefix (/${p.ipv4PrefixLen} IPv4, /${p.ipv6PrefixLen} IPv6; inbound limit ${p.inboundLimit || "none"})`;
  const pf = document.querySelector("#prefixes tbody");
  pf.replaceChildren();
  for (const g of p.groups) row(pf, [g.prefix, g.inbound + (g.atLimit ? " (at limit)" : ""), g.outbound]);
  if (p.groups.length === 0) row(pf, ["none", "", ""]);
  const rf = document.querySelector("#refused tbody");
  rf.replaceChildren();
  for (const [r, n] of Object.entries(sl.refused)) row(rf, [r, n]);
}

function renderInfo(info, health) {
  document.getElementById("node-id").textContent = info.peerId;
  document.getElementById("summary").textContent =
    `Cluster ${info.cluster}, node health: ${(LEVELS[health.nodeHealth] || { text: health.nodeHealth }).text}, ` +
    `${health.connectedPeers} connected peers, up ${info.uptimeSeconds} s.`;
  const ul = document.getElementById("addrs");
  ul.replaceChildren();
  for (const a of info.listenAddresses || []) {
    const li = el("li");
    li.append(el("span", a));
    if (navigator.clipboard) {
      const btn = el("button", "Copy", { type: "button", "aria-label": "Copy " + a });
      btn.addEventListener("click", () => navigator.clipboard.writeText(a));
      li.append(btn);
    }
    ul.append(li);
  }
}

// sample turns two /bandwidth answers into one chart sample (bytes/s).
function sample(prev, cur) {
  const dt = (Date.parse(cur.at) - Date.parse(prev.at)) / 1000;
  if (!(dt > 0)) return null;
  const s = { t: Date.parse(cur.at), type: {}, shard: {}, typeIO: {}, shardIO: {} };
  for (const k of ["data", "control", "other"]) {
    const io = ["in", "out"].map((d) => (cur.gossip[d][k] - prev.gossip[d][k]) / dt);
    s.typeIO[k] = io;
    s.type[k] = io[0] + io[1];
  }
  const byShard = (g) => Object.fromEntries(g.byShard.map((x) => [x.shard, x.bytes]));
  const io = ["in", "out"].map((d) => [byShard(cur.gossip[d]), byShard(prev.gossip[d])]);
  const shards = new Set([...Object.keys(io[0][0]), ...Object.keys(io[1][0])]);
  for (const sh of shards) {
    const v = io.map(([c, p]) => ((c[sh] || 0) - (p[sh] || 0)) / dt);
    s.shardIO[sh] = v;
    s.shard[sh] = v[0] + v[1];
  }
  return s;
}

function chart(id, key) {
  const W = 300, H = 110, PAD = 4;
  const series = [...new Set(history.flatMap((s) => Object.keys(s[key])))];
  const maxV = Math.max(1, ...history.flatMap((s) => Object.values(s[key])));
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.dataset.samples = history.length;
  svg.setAttribute("aria-label", `${key === "type" ? "By message type" : "By shard"}, peak ${rate(maxV)}`);
  const top = document.createElementNS(ns, "text");
  top.setAttribute("x", PAD); top.setAttribute("y", 12); top.setAttribute("font-size", "10"); top.setAttribute("fill", "currentColor");
  top.textContent = "max " + rate(maxV);
  const span = document.createElementNS(ns, "text");
  span.setAttribute("x", W - PAD); span.setAttribute("y", 12); span.setAttribute("font-size", "10");
  span.setAttribute("fill", "currentColor"); span.setAttribute("text-anchor", "end");
  span.textContent = `last ${Math.round((HISTORY * POLL_MS) / 60000)} min, now at the right`;
  svg.append(top, span);
  const legend = el("p", null, { class: "legend" });
  series.forEach((name, i) => {
    const pts = history.map((s, j) => {
      const x = W - PAD - ((history.length - 1 - j) * (W - 2 * PAD)) / (HISTORY - 1); // newest at the right
      const y = H - PAD - ((s[key][name] || 0) * (H - 20)) / maxV;
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", COLOURS[i % COLOURS.length]);
    line.setAttribute("stroke-width", "1.5");
    line.setAttribute("stroke-dasharray", DASHES[i % DASHES.length]);
    svg.append(line);
    const label = key === "shard" ? "shard " + name : name;
    const key1 = el("span", `${DASHES[i % DASHES.length] ? "- - " : "—— "}${label}   `);
    key1.style.color = COLOURS[i % COLOURS.length]; // CSSOM, allowed by the page's CSP (style attributes are not)
    legend.append(key1);
  });
  document.getElementById(id).replaceChildren(svg, legend);
}

function renderRates(id, io, label) {
  const tbody = document.querySelector(`#${id} tbody`);
  tbody.replaceChildren();
  for (const [k, [i, o]] of Object.entries(io || {})) row(tbody, [label(k), rate(i), rate(o)]);
}

function renderBandwidth(bw) {
  if (prevBW) {
    const s = sample(prevBW, bw);
    if (s) {
      history.push(s);
      if (history.length > HISTORY) history.shift();
      renderRates("rates-type", s.typeIO, (k) => k);
      renderRates("rates-shard", s.shardIO, (k) => "shard " + k);
    }
  }
  prevBW = bw;
  chart("chart-type", "type");
  chart("chart-shard", "shard");
}

function setState(state, text) {
  document.body.dataset.state = state;
  const st = document.getElementById("status");
  st.setAttribute("role", state === "error" ? "alert" : "status");
  st.textContent = text;
}

async function poll() {
  try {
    const [health, info, sl, bw] = await Promise.all(["/health", "/info", "/slots", "/bandwidth"].map(get));
    renderShards(health);
    renderSlots(sl);
    renderInfo(info, health);
    renderBandwidth(bw);
    lastOK = new Date();
    document.getElementById("token-form").hidden = true;
    setState("ok", "Connected: updated " + lastOK.toLocaleTimeString() + ", every " + POLL_MS / 1000 + " s.");
  } catch (err) {
    if (err instanceof HTTPError && err.status === 401) document.getElementById("token-form").hidden = false;
    const since = lastOK ? " The figures below are from " + lastOK.toLocaleTimeString() + "." : "";
    const what = err instanceof HTTPError ? "The node answered an error: " + err.message : "Node unreachable: " + err.message;
    setState("error", what + "." + since + " Retrying every " + POLL_MS / 1000 + " s.");
  }
}

document.getElementById("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  token = document.getElementById("token").value.trim();
  sessionStorage.setItem("qanode-token", token);
  poll();
});

poll();
setInterval(poll, POLL_MS);
