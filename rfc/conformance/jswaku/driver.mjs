// The js-waku driver of the Waku peer-management conformance suite, written
// from rfc/conformance/PROTOCOL.md (protocol 1) and
// rfc/conformance/vectors/README.md. It speaks the wire vocabulary only and
// decodes every vector with js-waku's own published code; everything else is
// answered "unsupported". Run it with the packages of package.json installed
// next to it:
//
//   npm install && node driver.mjs
//
// Requests come one JSON object per line on standard input; each gets one
// answer line on standard output; logs go to standard error.

import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

import { ENR, EnrDecoder } from "@waku/enr";
import {
  AutoShardingRoutingInfo,
  encodeRelayShard,
  ensureValidContentTopic,
  pubsubTopicToSingleShardInfo
} from "@waku/utils";
import { messageHash } from "@waku/core";
import { proto_message, proto_metadata, proto_peer_exchange } from "@waku/proto";

const PROTOCOL = 1;
const VOCABULARIES = ["wire"];
const PROFILES = ["js-waku"];

// packageVersion reads an installed package's version (their exports do not
// expose package.json, so find it from the resolved entry point).
function packageVersion(name) {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        if (pkg.name === name) return pkg.version;
      } catch {
        // not here: go up
      }
    }
  } catch {
    // fall through
  }
  return "?";
}

const VERSION = ["@waku/enr", "@waku/utils", "@waku/core", "@waku/proto"]
  .map((n) => `${n}@${packageVersion(n)}`)
  .join(" ") + ` node@${process.versions.node}`;

// Rejection is an error with a class of README.md's set; anything else a
// js-waku function throws is answered with the class "rejected" (refused,
// class unknown) unless classify recognises it.
class Rejection extends Error {
  constructor(errorClass, message) {
    super(message);
    this.errorClass = errorClass;
  }
}

class Unsupported extends Error {}

// classify maps what js-waku throws to a class where its message says
// unambiguously what went wrong; otherwise "rejected".
function classify(err) {
  if (err instanceof Rejection) return err.errorClass;
  const m = String(err && err.message ? err.message : err);
  if (/Insufficient data|Unexpected end of data/.test(m)) return "bad-length";
  if (/Unable to verify ENR signature/.test(m)) return "bad-signature";
  if (/Generation greater than 0 is not supported/.test(m)) return "unsupported-value";
  if (/Content topic format is invalid|Invalid generation field|field cannot be empty|Invalid pubsub topic|Invalid clusterId or shard|must start with 'enr:'|Decoded ENR|invalid (rlp|RLP)|index out of range|invalid wire type/i.test(m)) {
    return "malformed";
  }
  return "rejected";
}

function bytesFromHex(s, field = "hex") {
  if (typeof s !== "string" || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new BadRequest(`input.${field} is not hex`);
  }
  return Uint8Array.from(Buffer.from(s, "hex"));
}

const hex = (b) => Buffer.from(b ?? new Uint8Array()).toString("hex");

class BadRequest extends Error {}

function need(input, field, type) {
  if (input === null || typeof input !== "object" || typeof input[field] !== type) {
    throw new BadRequest(`input.${field} must be a ${type}`);
  }
  return input[field];
}

// shardsValue is a decoded relay-shard value in the vectors' form: the
// shards as a set, sorted and without duplicates.
function shardsValue(info) {
  const shards = [...new Set(info.shards)].sort((a, b) => a - b);
  return { cluster: info.clusterId, shards };
}

function waku2Flags(w) {
  return (w.relay ? 1 : 0) | (w.store ? 2 : 0) | (w.filter ? 4 : 0) | (w.lightPush ? 8 : 0);
}

// field reads one ENR getter: null when absent, {error_class} when the
// getter throws.
function field(get, map) {
  try {
    const v = get();
    return v === undefined ? null : map(v);
  } catch (err) {
    return { error_class: classify(err) };
  }
}

// entry puts one ENR value under key in an unsigned record and reads it back
// with js-waku's getter, the path a decoded record's fields take.
function entry(key, bytes) {
  return ENR.create({ [key]: bytes });
}

const kinds = {
  "pubsub-topic": async (input) => {
    const { clusterId, shard } = pubsubTopicToSingleShardInfo(need(input, "text", "string"));
    return { cluster: clusterId, shard };
  },
  "content-topic": async (input) => {
    const t = ensureValidContentTopic(need(input, "text", "string"));
    return { generation: t.generation, application: t.application, version: t.version, name: t.topicName, encoding: t.encoding };
  },
  autoshard: async (input) => {
    const ri = AutoShardingRoutingInfo.fromContentTopic(need(input, "content_topic", "string"), {
      clusterId: need(input, "cluster", "number"),
      numShardsInCluster: need(input, "shard_count", "number")
    });
    return { cluster: ri.clusterId, shard: ri.shardId };
  },
  "enr-rs": async (input) => shardsValue(entry("rs", bytesFromHex(need(input, "hex", "string"))).rs),
  "enr-rsv": async (input) => shardsValue(entry("rsv", bytesFromHex(need(input, "hex", "string"))).rsv),
  "enr-waku2": async (input) => ({ flags: waku2Flags(entry("waku2", bytesFromHex(need(input, "hex", "string"))).waku2) }),
  "enr-multiaddrs": async (input) => ({
    multiaddrs: entry("multiaddrs", bytesFromHex(need(input, "hex", "string"))).multiaddrs.map(String)
  }),
  enr: async (input) => {
    const e = await EnrDecoder.fromString(need(input, "text", "string"));
    return {
      seq: Number(e.seq),
      ip: e.ip ?? null,
      tcp: e.tcp ?? null,
      udp: e.udp ?? null,
      shards: field(() => e.shardInfo, shardsValue),
      waku2: field(() => e.waku2, waku2Flags),
      multiaddrs: field(() => e.multiaddrs, (as) => as.map(String))
    };
  },
  "enr-shards-writer": async (input) => {
    if (input && input.previous !== undefined) {
      // js-waku's ENR code never writes rs or rsv, so no record to update.
      throw new Unsupported("js-waku has no record-level shard writer");
    }
    const shards = need(input, "shards", "object");
    const b = encodeRelayShard({ clusterId: need(input, "cluster", "number"), shards });
    // encodeRelayShard picks the key by length: 130 bytes is rsv.
    return b.length === 130 ? { rs: null, rsv: hex(b) } : { rs: hex(b), rsv: null };
  },
  metadata: async (input) => {
    // js-waku decodes requests and responses with the same generated codec.
    const m = proto_metadata.WakuMetadataResponse.decode(bytesFromHex(need(input, "hex", "string")));
    return { cluster: m.clusterId ?? null, shards: [...new Set(m.shards)].sort((a, b) => a - b) };
  },
  "peer-exchange": async (input) => {
    const rpc = proto_peer_exchange.PeerExchangeRPC.decode(bytesFromHex(need(input, "hex", "string")));
    return {
      query: rpc.query ? { num_peers: Number(rpc.query.numPeers ?? 0n) } : null,
      // js-waku's PeerExchangeResponse has no status fields: they are
      // skipped as unknown, hence null.
      response: rpc.response
        ? { status_code: rpc.response.statusCode ?? null, status_desc: rpc.response.statusDesc ?? null, enrs: rpc.response.peerInfos.map((p) => hex(p.enr)) }
        : null
    };
  },
  "message-hash": async (input) => {
    const msg = proto_message.WakuMessage.decode(bytesFromHex(need(input, "message_hex", "string"), "message_hex"));
    return { hash: hex(messageHash(need(input, "pubsub_topic", "string"), msg)) };
  },
  protected: async () => {
    throw new Unsupported("js-waku has no protected-shard validator");
  },
  "discovery-filter": async () => {
    // @waku/discovery's peer exchange filters records inside a libp2p node
    // (peer_exchange_discovery.ts); there is no function to call alone.
    throw new Unsupported("js-waku filters discovered records only inside a running libp2p node");
  }
};

// The session's state: the vocabulary and profile of the last start.
let vocabulary = "";

async function answer(req) {
  const ok = (more = {}) => ({ id: req.id, status: "ok", ...more });
  const error = (msg) => ({ id: req.id, status: "error", error: msg });
  const unsupported = (reason) => ({ id: req.id, status: "unsupported", reason });
  switch (req.op) {
    case "hello":
      if (req.protocol !== PROTOCOL) {
        return { ...error(`protocol ${req.protocol} not spoken`), protocol: PROTOCOL };
      }
      return ok({ protocol: PROTOCOL, implementation: "js-waku", version: VERSION, vocabularies: VOCABULARIES, profiles: PROFILES });
    case "start":
      vocabulary = "";
      if (!VOCABULARIES.includes(req.vocabulary)) return unsupported(`vocabulary ${JSON.stringify(req.vocabulary)} not supported`);
      if (!PROFILES.includes(req.profile)) return unsupported(`profile ${JSON.stringify(req.profile)} not offered`);
      vocabulary = req.vocabulary;
      return ok();
    case "configure":
    case "event":
    case "query":
    case "advance":
      if (vocabulary === "") return error(`${req.op} before start`);
      return error(`${req.op} in vocabulary ${vocabulary}`);
    case "wire": {
      if (vocabulary !== "wire") return error(vocabulary === "" ? "wire before start" : `wire in vocabulary ${vocabulary}`);
      const decode = kinds[req.kind];
      if (!decode) return unsupported(`no decoder for kind ${JSON.stringify(req.kind)}`);
      try {
        return ok({ value: await decode(req.input) });
      } catch (err) {
        if (err instanceof Unsupported) return unsupported(err.message);
        if (err instanceof BadRequest) return error(err.message);
        console.error(`wire ${req.kind}: ${err && err.message ? err.message : err}`);
        return ok({ error_class: classify(err) });
      }
    }
    case "bye":
      return ok();
    case undefined:
      return error("request without op");
    default:
      return error(`unknown op ${JSON.stringify(req.op)}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: null, status: "error", error: `not JSON: ${err.message}` }) + "\n");
    continue;
  }
  if (req === null || typeof req !== "object" || Array.isArray(req)) {
    process.stdout.write(JSON.stringify({ id: null, status: "error", error: "request is not an object" }) + "\n");
    continue;
  }
  if (!Number.isInteger(req.id)) req.id = req.id ?? null;
  const a = await answer(req);
  process.stdout.write(JSON.stringify(a, (_, v) => (typeof v === "bigint" ? Number(v) : v)) + "\n");
  if (req.op === "bye") break;
}
process.exit(0);
