package main

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/require"
	"github.com/wakupm/wakupm/shardmesh"
	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

// go-waku waku/v2/protocol/enr/enr_test.go TestEnodeToMultiAddr
// (waku-org/go-waku 84a4b1be): a waku.test fleet node; go-waku expects peer
// id 16Uiu2HAkykgaECHswi3YKJ5dMLbq2kPVCo89fcyTd38UcQD6ej5W.
const fleetENR = "enr:-QESuEC1p_s3xJzAC_XlOuuNrhVUETmfhbm1wxRGis0f7DlqGSw2FM-p2Ugl_r25UHQJ3f1rIRrpzxJXSMaJe4yk1XFSAYJpZIJ2NIJpcISygI2rim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQJATXRSRSUyTw_QLB6H_U3oziVQgNRgrXpK7wp2AMyNxYN0Y3CCdl-DdWRwgiMohXdha3UyDw"

func runCapture(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// signedENR builds and signs a record with a fixed key and the given entries.
func signedENR(t *testing.T, set func(r *enr.Record)) string {
	t.Helper()
	key, err := crypto.HexToECDSA("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	require.NoError(t, err)
	var r enr.Record
	r.Set(enr.IPv4(net.IPv4(192, 0, 2, 7)))
	r.Set(enr.TCP(60000))
	r.Set(enr.UDP(9000))
	set(&r)
	require.NoError(t, enode.SignV4(&r, key))
	n, err := enode.New(enode.ValidSchemes, &r)
	require.NoError(t, err)
	return n.String()
}

func decodeJSON(t *testing.T, s string) []result {
	t.Helper()
	var rs []result
	require.NoError(t, json.Unmarshal([]byte(s), &rs), s)
	return rs
}

func TestSignedENRWithRSV(t *testing.T) {
	// 64 shards or more go into rsv, which leaves no room for multiaddrs in
	// the 300-byte record.
	shards := make([]uint16, 0, 70)
	for i := range uint16(70) {
		shards = append(shards, i*3)
	}
	text := signedENR(t, func(r *enr.Record) {
		require.NoError(t, wakuenr.SetRelayShards(r, wakuenr.RelayShards{Cluster: 16, Indices: shards}))
		r.Set(wakuenr.Waku2(shardmesh.CapRelay | shardmesh.CapStore))
	})

	code, out, errOut := runCapture("-json", text)
	require.Equal(t, exitOK, code, errOut)
	require.Empty(t, errOut)
	res := decodeJSON(t, out)
	require.Len(t, res, 1)
	e := res[0].ENR
	require.Equal(t, "enr", res[0].Kind)
	require.NotNil(t, e)
	require.Equal(t, "rsv", e.ShardField)
	require.Equal(t, uint16(16), *e.Cluster)
	require.Equal(t, shards, e.Shards)
	require.Equal(t, "/waku/2/rs/16/207", e.PubsubTopics[69])
	require.Equal(t, uint8(3), *e.Capabilities)
	require.Equal(t, []string{"relay", "store"}, e.CapabilityNames)
	require.True(t, e.DiscoveryEligible)
	require.Empty(t, e.Multiaddrs)
	require.Equal(t, "192.0.2.7", e.IP)
	require.Equal(t, 60000, e.TCP)
	require.True(t, strings.HasPrefix(e.PeerID, "16Uiu2"), e.PeerID)
	require.Empty(t, e.FieldErrors)

	// Text output names the same facts.
	code, out, _ = runCapture(text)
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "cluster:       16\n")
	require.Contains(t, out, "(70, from rsv)")
	require.Contains(t, out, "relay,store (waku2=0x03)")
	require.Contains(t, out, "multiaddrs:    none\n")
}

func TestSignedENRWithRSAndMultiaddrs(t *testing.T) {
	wss, err := multiaddr.NewMultiaddr("/dns4/node.example.org/tcp/443/wss")
	require.NoError(t, err)
	text := signedENR(t, func(r *enr.Record) {
		require.NoError(t, wakuenr.SetRelayShards(r, wakuenr.RelayShards{Cluster: 1, Indices: []uint16{5, 0}}))
		r.Set(wakuenr.Waku2(shardmesh.CapRelay | shardmesh.CapFilter | shardmesh.CapLightPush))
		r.Set(wakuenr.Multiaddrs{wss})
	})
	code, out, errOut := runCapture("-json", text)
	require.Equal(t, exitOK, code, errOut)
	e := decodeJSON(t, out)[0].ENR
	require.Equal(t, "rs", e.ShardField)
	require.Equal(t, []uint16{0, 5}, e.Shards)
	require.Equal(t, []string{"/waku/2/rs/1/0", "/waku/2/rs/1/5"}, e.PubsubTopics)
	require.Equal(t, []string{"relay", "filter", "lightpush"}, e.CapabilityNames)
	require.Equal(t, []string{"/dns4/node.example.org/tcp/443/wss"}, e.Multiaddrs)
}

func TestPublishedFleetENR(t *testing.T) {
	code, out, errOut := runCapture(fleetENR)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "peer id:       16Uiu2HAkykgaECHswi3YKJ5dMLbq2kPVCo89fcyTd38UcQD6ej5W\n")
	require.Contains(t, out, "cluster:       1\n")
	require.Contains(t, out, "shards:        0,1,2,3,4,5,6,7 (8, from rs)\n")
	require.Contains(t, out, "relay,store,filter,lightpush (waku2=0x0f)")
	require.Contains(t, out, "/dns4/node-01.do-ams3.waku.test.statusim.net/tcp/8000/wss")
}

func TestTopics(t *testing.T) {
	// js-waku topics.spec.ts: /app/20/... is shard 15 of 16 and 7 of 8.
	code, out, errOut := runCapture("-json", "-cluster", "16", "-shards", "16",
		"/app/20/sometopic/someencoding", "/waku/2/rs/16/32")
	require.Equal(t, exitOK, code, errOut)
	res := decodeJSON(t, out)
	require.Len(t, res, 2)
	require.Equal(t, &contentInfo{
		Application: "app", Version: "20", Name: "sometopic", Encoding: "someencoding",
		Cluster: 16, NumShards: 16, Shard: 15, PubsubTopic: "/waku/2/rs/16/15",
	}, res[0].Content)
	require.Equal(t, "pubsub-topic", res[1].Kind)
	require.Equal(t, &topicInfo{Cluster: 16, Shard: 32}, res[1].Topic)

	// Defaults are The Waku Network: cluster 1, 8 shards.
	code, out, _ = runCapture("/app/20/sometopic/someencoding")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "autoshard:     /waku/2/rs/1/7 (cluster 1, 8 shards, generation 0)")
}

func TestBadInputs(t *testing.T) {
	code, out, errOut := runCapture("-json", "/waku/2/rs/1/1024", "/waku/2/rs", "/1/toychat/2/huilong/proto",
		"hello", "enr:not-base64!", "/toychat/2/huilong/proto")
	require.Equal(t, exitBadInput, code)
	res := decodeJSON(t, out)
	require.Len(t, res, 6)
	for _, r := range res[:5] {
		require.NotEmpty(t, r.Error, r.Input)
	}
	require.Empty(t, res[5].Error)
	require.Equal(t, uint16(3), res[5].Content.Shard)
	require.Contains(t, errOut, "shard index above 1023")
	require.Contains(t, errOut, "missing cluster id")
	require.Contains(t, errOut, "only generation 0 is supported")
	require.Contains(t, errOut, "inputs are enr:..., /waku/2/rs/<cluster>/<shard> or a content topic")
	require.Contains(t, errOut, "not a valid signed ENR")

	// Text mode prints the valid ones to stdout and the errors to stderr.
	code, out, errOut = runCapture("/waku/2/rs/1/02", "/waku/2/rs/1/2")
	require.Equal(t, exitBadInput, code)
	require.Equal(t, "/waku/2/rs/1/2\n  cluster:       1\n  shard:         2\n", out)
	require.Contains(t, errOut, `"/waku/2/rs/1/02": numbers must not have leading zeros`)
}

func TestENRWithMalformedFields(t *testing.T) {
	text := signedENR(t, func(r *enr.Record) {
		r.Set(enr.WithEntry(wakuenr.KeyRS, []byte{0, 1, 3, 0, 1})) // count 3, one index
		r.Set(enr.WithEntry(wakuenr.KeyWaku2, []byte{0}))
		r.Set(enr.WithEntry(wakuenr.KeyMultiaddrs, []byte{0, 9, 1}))
	})
	code, out, errOut := runCapture("-json", text)
	require.Equal(t, exitBadInput, code)
	res := decodeJSON(t, out)
	e := res[0].ENR
	require.NotNil(t, e, "the record parses; only fields are bad")
	require.Len(t, e.FieldErrors, 2)
	require.Contains(t, e.FieldErrors[0], `"rs": length byte does not match value size`)
	require.Contains(t, e.FieldErrors[1], `"multiaddrs": truncated`)
	require.Nil(t, e.Cluster)
	require.Equal(t, uint8(0), *e.Capabilities)
	require.False(t, e.DiscoveryEligible)
	require.Contains(t, errOut, `"rs"`)

	code, out, _ = runCapture(text)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, out, "discv5:        not eligible: waku2 is absent or zero")
	require.Contains(t, out, "field error:")
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-json"},
		{"-shards", "0", "/a/b/c/d"},
		{"-shards", "1025", "/a/b/c/d"},
		{"-cluster", "65536", "/a/b/c/d"},
		{"-cluster", "-1", "/a/b/c/d"},
		{"-nope", "/a/b/c/d"},
	} {
		code, _, errOut := runCapture(args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.NotEmpty(t, errOut)
	}
}
