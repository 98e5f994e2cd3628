package enr

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/shardmesh"
)

// jsWakuUtils is the published js-waku utils package checked against. Its
// sources are packages/utils/src/common/{relay_shard_codec.ts,
// sharding/topics.ts} in waku-org/js-waku.
const jsWakuUtils = "@waku/utils@0.0.27"

// jsWakuScript reads {topics: [[topic, n]...], sets: [{cluster, shards}...]}
// on stdin and prints js-waku's autoshard index per topic and its
// relay-shard encoding (hex) per set.
const jsWakuScript = `
// The package index also loads test helpers that need libp2p peer
// dependencies, so import the two modules by path.
import { contentTopicToShardIndex } from "./node_modules/@waku/utils/dist/common/sharding/topics.js";
import { encodeRelayShard } from "./node_modules/@waku/utils/dist/common/relay_shard_codec.js";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
const autoshard = req.topics.map(([t, n]) => contentTopicToShardIndex(t, n));
const encoded = req.sets.map((s) =>
  Buffer.from(encodeRelayShard({ clusterId: s.cluster, shards: s.shards })).toString("hex"));
console.log(JSON.stringify({ autoshard, encoded }));
`

// installJSWaku installs jsWakuUtils into a temporary directory with npm and
// returns the directory, or skips the test when npm or the registry cannot
// be reached.
func installJSWaku(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("installs js-waku from npm; skipped under -short")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not found; cannot cross-check with js-waku")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not found; cannot cross-check with js-waku")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"crosscheck","private":true,"type":"module"}`), 0o644))
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", jsWakuUtils)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("npm install %s failed (registry unreachable?): %v\n%s", jsWakuUtils, err, out)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "check.mjs"), []byte(jsWakuScript), 0o644))
	return dir
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
	dir := installJSWaku(t)
	rng := rand.New(rand.NewPCG(3, 5))

	var req jsRequest
	type topicCase struct {
		topic string
		n     uint16
	}
	var topics []topicCase
	for i := range 300 {
		topic := fmt.Sprintf("/%s/%s/%s/%s", randomField(rng), randomField(rng), randomField(rng), randomField(rng))
		if i%3 == 0 {
			topic = "/0" + topic
		}
		n := uint16(1 + rng.IntN(shardmesh.ShardsPerCluster))
		if i%2 == 0 {
			n = uint16(1 + rng.IntN(16))
		}
		topics = append(topics, topicCase{topic, n})
		req.Topics = append(req.Topics, [2]any{topic, n})
	}
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

	in, err := json.Marshal(req)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "check.mjs")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node check.mjs: %s", stderr.String())
	var resp jsResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	require.Len(t, resp.Autoshard, len(topics))
	require.Len(t, resp.Encoded, len(sets))

	for i, tc := range topics {
		got, err := shardmesh.AutoShard(tc.topic, 1, tc.n)
		require.NoError(t, err, tc.topic)
		require.Equal(t, resp.Autoshard[i], int(got.Index), "autoshard %q with %d shards", tc.topic, tc.n)
	}

	for i, rs := range sets {
		jsBytes, err := hex.DecodeString(resp.Encoded[i])
		require.NoError(t, err)
		if len(rs.Indices) < RSVThreshold {
			ours, err := rs.EncodeRS()
			require.NoError(t, err)
			require.Equal(t, ours, jsBytes, "rs of %v", rs)
			continue
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
			continue // the expected case
		}
		// Equal only when every byte is a palindrome under the mirror.
		require.Equal(t, rs.Set(), mirrored)
	}
}
