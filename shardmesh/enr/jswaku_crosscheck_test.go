package enr

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/nodejs"
	"github.com/wakupm/wakupm/rfc/conformance/jswaku"
	"github.com/wakupm/wakupm/shardmesh"
)

// jsWakuScript reads {topics: [[topic, n]...], sets: [{cluster, shards}...]}
// on stdin and prints js-waku's autoshard index per topic and its
// relay-shard encoding (hex) per set, with the published @waku/utils of the
// conformance driver's package list (rfc/conformance/jswaku/package.json;
// sources packages/utils/src/common/{relay_shard_codec.ts,
// sharding/topics.ts} in waku-org/js-waku).
const jsWakuScript = `
import { contentTopicToShardIndex, encodeRelayShard } from "@waku/utils";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
const autoshard = req.topics.map(([t, n]) => contentTopicToShardIndex(t, n));
const encoded = req.sets.map((s) =>
  Buffer.from(encodeRelayShard({ clusterId: s.cluster, shards: s.shards })).toString("hex"));
console.log(JSON.stringify({ autoshard, encoded }));
`

// installJSWaku installs Node.js 22 and the js-waku packages of the
// conformance driver into the shared cache (internal/nodejs), stores the
// script there and returns the environment and the script's path; it skips
// the test only when npm or the registry cannot be reached.
func installJSWaku(t *testing.T) (*nodejs.Env, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("installs js-waku from npm; skipped under -short")
	}
	pkgs, err := jswaku.Packages()
	require.NoError(t, err)
	env := nodejs.Require(t, pkgs...)
	script, err := env.WriteScript("enr-crosscheck.mjs", []byte(jsWakuScript))
	require.NoError(t, err)
	return env, script
}

type jsSet struct {
	Cluster uint16   `json:"cluster"`
	Shards  []uint16 `json:"shards"`
}

type jsRequest struct {
	Topics [][2]any `json:"topics"`
	Sets   []jsSet  `json:"sets"`
}

type jsResponse struct {
	Autoshard []int    `json:"autoshard"`
	Encoded   []string `json:"encoded"`
}

func randomField(rng *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+ü€日"
	runes := []rune(alphabet)
	n := 1 + rng.IntN(12)
	var b strings.Builder
	for range n {
		b.WriteRune(runes[rng.IntN(len(runes))])
	}
	return b.String()
}

// TestCrossCheckJSWaku runs real js-waku code on random content topics and
// shard sets and compares: autosharding and rs must agree byte for byte;
// rsv must show js-waku's mirrored bit order (js-waku packages/utils/src/common/relay_shard_codec.ts).
func TestCrossCheckJSWaku(t *testing.T) {
	env, script := installJSWaku(t)
	rng := rand.New(rand.NewPCG(3, 5))
	var req jsRequest
	topics := randomAutoshardCases(rng, &req)
	sets := randomRelayShardSets(rng, &req)
	resp := runJSWaku(t, env, script, req)
	require.Len(t, resp.Autoshard, len(topics))
	require.Len(t, resp.Encoded, len(sets))

	for i, tc := range topics {
		got, err := shardmesh.AutoShard(tc.topic, 1, tc.n)
		require.NoError(t, err, tc.topic)
		require.Equal(t, resp.Autoshard[i], int(got.Index), "autoshard %q with %d shards", tc.topic, tc.n)
	}
	for i, rs := range sets {
		checkRelayShardsAgainstJS(t, rs, resp.Encoded[i])
	}
}

// autoshardCase is a content topic and a shard count to autoshard it over.
type autoshardCase struct {
	topic string
	n     uint16
}

// randomAutoshardCases draws 300 content topics and shard counts and adds
// them to req.
func randomAutoshardCases(rng *rand.Rand, req *jsRequest) []autoshardCase {
	var topics []autoshardCase
	for i := range 300 {
		topic := fmt.Sprintf("/%s/%s/%s/%s", randomField(rng), randomField(rng), randomField(rng), randomField(rng))
		if i%3 == 0 {
			topic = "/0" + topic
		}
		n := uint16(1 + rng.IntN(shardmesh.ShardsPerCluster))
		if i%2 == 0 {
			n = uint16(1 + rng.IntN(16))
		}
		topics = append(topics, autoshardCase{topic, n})
		req.Topics = append(req.Topics, [2]any{topic, n})
	}
	return topics
}

// randomRelayShardSets draws 200 sorted shard sets, half of a size encoded
// as rs and half as rsv, and adds them to req.
func randomRelayShardSets(rng *rand.Rand, req *jsRequest) []RelayShards {
	var sets []RelayShards
	for i := range 200 {
		n := 1 + rng.IntN(RSVThreshold-1) // rs
		if i%2 == 1 {
			n = RSVThreshold + rng.IntN(shardmesh.ShardsPerCluster-RSVThreshold+1) // rsv
		}
		rs := randomRelayShards(rng, n)
		rs = RelayShardsFromSet(rs.Cluster, rs.Set()) // sorted
		sets = append(sets, rs)
		req.Sets = append(req.Sets, jsSet{Cluster: rs.Cluster, Shards: rs.Indices})
	}
	return sets
}

// runJSWaku runs the check script on req.
func runJSWaku(t *testing.T, env *nodejs.Env, script string, req jsRequest) jsResponse {
	in, err := json.Marshal(req)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := env.Command(ctx, script)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node %s: %s", script, stderr.String())
	var resp jsResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

// checkRelayShardsAgainstJS compares js-waku's encoding (hex) of rs with
// ours: rs byte for byte, rsv mirrored inside each byte.
func checkRelayShardsAgainstJS(t *testing.T, rs RelayShards, jsHex string) {
	jsBytes, err := hex.DecodeString(jsHex)
	require.NoError(t, err)
	if len(rs.Indices) < RSVThreshold {
		ours, err := rs.EncodeRS()
		require.NoError(t, err)
		require.Equal(t, ours, jsBytes, "rs of %v", rs)
		return
	}
	// js-waku writes shard s under 1<<(7-s%8): read with the nwaku/go-waku
	// order, each shard comes back mirrored inside its byte.
	got, err := DecodeRSV(jsBytes)
	require.NoError(t, err)
	var mirrored shardmesh.ShardSet
	for _, s := range rs.Indices {
		mirrored.Add(s - s%8 + 7 - s%8)
	}
	require.Equal(t, rs.Cluster, got.Cluster)
	require.Equal(t, mirrored.Indexes(), got.Indices, "rsv of %d shards", len(rs.Indices))
	ours, err := rs.EncodeRSV()
	require.NoError(t, err)
	if !slices.Equal(ours, jsBytes) {
		return // the expected case
	}
	// Equal only when every byte is a palindrome under the mirror.
	require.Equal(t, rs.Set(), mirrored)
}
