package enr

import (
	"crypto/ecdsa"
	"net"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/shardmesh"
)

// Published ENRs used as vectors.
const (
	// nwaku tests/test_waku_enr.nim "decode record with multiaddrs field"
	// (waku-org/nwaku 7d1c6aba): a Status prod store node.
	enrNwakuStatusStore = "enr:-QEMuEAs8JmmyUI3b9v_ADqYtELHUYAsAMS21lA2BMtrzF86tVmyy9cCrhmzfHGH" +
		"x_g3nybn7jIRybzXTGNj3C2KzrriAYJpZIJ2NIJpcISf3_Jeim11bHRpYWRkcnO4XAAr" +
		"NiZzdG9yZS0wMS5kby1hbXMzLnN0YXR1cy5wcm9kLnN0YXR1cy5pbQZ2XwAtNiZzdG9y" +
		"ZS0wMS5kby1hbXMzLnN0YXR1cy5wcm9kLnN0YXR1cy5pbQYBu94DgnJzjQAQBQABACAA" +
		"QACAAQCJc2VjcDI1NmsxoQLfoaQH3oSYW59yxEBfeAZbltmUnC4BzYkHqer2VQMTyoN0" +
		"Y3CCdl-DdWRwgiMohXdha3UyAw"
	// go-waku waku/v2/protocol/enr/enr_test.go TestEnodeToMultiAddr
	// (waku-org/go-waku 84a4b1be): a waku.test fleet node on TWN shards 0-7.
	enrGoWakuTestFleet = "enr:-QESuEC1p_s3xJzAC_XlOuuNrhVUETmfhbm1wxRGis0f7DlqGSw2FM-p2Ugl_r25UHQJ3f1rIRrpzxJXSMaJe4yk1XFSAYJpZIJ2NIJpcISygI2rim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQJATXRSRSUyTw_QLB6H_U3oziVQgNRgrXpK7wp2AMyNxYN0Y3CCdl-DdWRwgiMohXdha3UyDw"
	// js-waku packages/enr/src/enr.spec.ts "should decode valid ENR with
	// multiaddrs successfully [shared test vector]" (waku-org/js-waku 84a6ea69).
	enrJSWakuShared = "enr:-QEnuEBEAyErHEfhiQxAVQoWowGTCuEF9fKZtXSd7H_PymHFhGJA3rGAYDVSHKCyJDGRLBGsloNbS8AZF33IVuefjOO6BIJpZIJ2NIJpcIQS39tkim11bHRpYWRkcnO4lgAvNihub2RlLTAxLmRvLWFtczMud2FrdXYyLnRlc3Quc3RhdHVzaW0ubmV0BgG73gMAODcxbm9kZS0wMS5hYy1jbi1ob25na29uZy1jLndha3V2Mi50ZXN0LnN0YXR1c2ltLm5ldAYBu94DACm9A62t7AQL4Ef5ZYZosRpQTzFVAB8jGjf1TER2wH-0zBOe1-MDBNLeA4lzZWNwMjU2azGhAzfsxbxyCkgCqq8WwYsVWH7YkpMLnU2Bw5xJSimxKav-g3VkcIIjKA"
	// nwaku tests/test_waku_enr.nim "check capabilities on a non-waku node
	// record": an Ethereum node record without any Waku key.
	enrNonWaku = "enr:-KG4QOtcP9X1FbIMOe17QNMKqDxCpm14jcX5tiOE4_TyMrFqbmhPZHK_ZPG2G" +
		"xb1GE2xdtodOfx9-cgvNtxnRyHEmC0ghGV0aDKQ9aX9QgAAAAD__________4JpZIJ2NIJpcIQDE8KdiXNl" +
		"Y3AyNTZrMaEDhpehBDbZjM_L9ek699Y7vhUJ-eAdMyQW_Fil522Y0fODdGNwgiMog3VkcIIjKA"
)

func parseENR(t *testing.T, text string) *enode.Node {
	t.Helper()
	n, err := enode.Parse(enode.ValidSchemes, text)
	require.NoError(t, err)
	return n
}

func mustMultiaddrs(t *testing.T, ss ...string) []multiaddr.Multiaddr {
	t.Helper()
	out := make([]multiaddr.Multiaddr, len(ss))
	for i, s := range ss {
		a, err := multiaddr.NewMultiaddr(s)
		require.NoError(t, err)
		out[i] = a
	}
	return out
}

func TestPublishedENRs(t *testing.T) {
	tests := []struct {
		name      string
		enr       string
		shards    RelayShards
		caps      shardmesh.Capabilities
		multiaddr []string
	}{
		{
			name:   "nwaku status store",
			enr:    enrNwakuStatusStore,
			shards: RelayShards{Cluster: 16, Indices: []uint16{1, 32, 64, 128, 256}},
			caps:   shardmesh.CapRelay | shardmesh.CapStore,
			// The two addresses nwaku's test expects.
			multiaddr: []string{
				"/dns4/store-01.do-ams3.status.prod.status.im/tcp/30303",
				"/dns4/store-01.do-ams3.status.prod.status.im/tcp/443/wss",
			},
		},
		{
			name:   "go-waku test fleet",
			enr:    enrGoWakuTestFleet,
			shards: RelayShards{Cluster: 1, Indices: []uint16{0, 1, 2, 3, 4, 5, 6, 7}},
			caps:   shardmesh.CapRelay | shardmesh.CapStore | shardmesh.CapFilter | shardmesh.CapLightPush,
			multiaddr: []string{
				"/dns4/node-01.do-ams3.waku.test.statusim.net/tcp/30303",
				"/dns4/node-01.do-ams3.waku.test.statusim.net/tcp/8000/wss",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := parseENR(t, tt.enr)
			rs, err := RelayShardsFromRecord(n.Record())
			require.NoError(t, err)
			require.Equal(t, tt.shards, rs)
			caps, err := CapabilitiesFromRecord(n.Record())
			require.NoError(t, err)
			require.Equal(t, tt.caps, caps)
			addrs, err := MultiaddrsFromRecord(n.Record())
			require.NoError(t, err)
			require.Equal(t, mustMultiaddrs(t, tt.multiaddr...), addrs)
			require.False(t, HasBothShardKeys(n.Record()))
		})
	}

	t.Run("js-waku shared vector", func(t *testing.T) {
		// The three addresses js-waku's test expects, dns6 and onion3 included.
		n := parseENR(t, enrJSWakuShared)
		addrs, err := MultiaddrsFromRecord(n.Record())
		require.NoError(t, err)
		require.Equal(t, mustMultiaddrs(t,
			"/dns4/node-01.do-ams3.wakuv2.test.statusim.net/tcp/443/wss",
			"/dns6/node-01.ac-cn-hongkong-c.wakuv2.test.statusim.net/tcp/443/wss",
			"/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234/wss",
		), addrs)
		_, err = RelayShardsFromRecord(n.Record())
		require.ErrorIs(t, err, ErrFieldAbsent)
	})

	t.Run("non-waku record", func(t *testing.T) {
		r := parseENR(t, enrNonWaku).Record()
		_, err := RelayShardsFromRecord(r)
		require.ErrorIs(t, err, ErrFieldAbsent)
		_, err = CapabilitiesFromRecord(r)
		require.ErrorIs(t, err, ErrFieldAbsent)
		_, err = MultiaddrsFromRecord(r)
		require.ErrorIs(t, err, ErrFieldAbsent)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, KeyMultiaddrs, e.Key)
	})
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	require.NoError(t, err)
	return k
}

func indexRange(from, to uint16) []uint16 {
	var out []uint16
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestSetRelayShardsPicksKeyAndRemovesOther(t *testing.T) {
	key := newKey(t)
	var r gethenr.Record
	r.Set(gethenr.IPv4(net.IPv4(10, 0, 0, 1)))
	r.Set(Waku2(shardmesh.CapRelay))

	// 63 shards: rs.
	require.NoError(t, SetRelayShards(&r, RelayShards{Cluster: 16, Indices: indexRange(0, 63)}))
	require.True(t, hasKey(&r, KeyRS))
	require.False(t, hasKey(&r, KeyRSV))
	require.NoError(t, enode.SignV4(&r, key))
	seqSigned := r.Seq()

	// 64 shards: rsv, and rs is gone; other keys survive; seq moves on.
	require.NoError(t, SetRelayShards(&r, RelayShards{Cluster: 16, Indices: indexRange(0, 64)}))
	require.False(t, hasKey(&r, KeyRS))
	require.True(t, hasKey(&r, KeyRSV))
	require.Equal(t, seqSigned+1, r.Seq())
	require.Nil(t, r.Signature(), "changing the record must invalidate the signature")
	caps, err := CapabilitiesFromRecord(&r)
	require.NoError(t, err)
	require.Equal(t, shardmesh.CapRelay, caps)

	// Sign, encode as text, parse back as a node.
	require.NoError(t, enode.SignV4(&r, key))
	n, err := enode.New(enode.ValidSchemes, &r)
	require.NoError(t, err)
	back := parseENR(t, n.String())
	got, err := RelayShardsFromRecord(back.Record())
	require.NoError(t, err)
	require.Equal(t, RelayShards{Cluster: 16, Indices: indexRange(0, 64)}, got)
	require.Equal(t, "10.0.0.1", back.IP().String())

	// Back below 64: rs again, rsv removed.
	require.NoError(t, SetRelayShards(&r, RelayShards{Cluster: 16, Indices: []uint16{9, 3, 3}}))
	require.True(t, hasKey(&r, KeyRS))
	require.False(t, hasKey(&r, KeyRSV))
	got, err = RelayShardsFromRecord(&r)
	require.NoError(t, err)
	require.Equal(t, RelayShards{Cluster: 16, Indices: []uint16{3, 9}}, got)
}

func TestSetRelayShardsRejectsAndLeavesRecord(t *testing.T) {
	var r gethenr.Record
	require.NoError(t, SetRelayShards(&r, RelayShards{Cluster: 1, Indices: []uint16{2}}))
	before := r.AppendElements(nil)

	err := SetRelayShards(&r, RelayShards{Cluster: 1})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, ProblemEmpty, e.Problem)

	err = SetRelayShards(&r, RelayShards{Cluster: 1, Indices: []uint16{1, 1024}})
	require.ErrorAs(t, err, &e)
	require.Equal(t, ProblemOutOfRange, e.Problem)

	require.Equal(t, before, r.AppendElements(nil))
}

func TestSetLocalNodeRelayShards(t *testing.T) {
	db, err := enode.OpenDB("")
	require.NoError(t, err)
	defer db.Close()
	ln := enode.NewLocalNode(db, newKey(t))

	require.NoError(t, SetLocalNodeRelayShards(ln, RelayShards{Cluster: 1, Indices: indexRange(0, 100)}))
	r := ln.Node().Record()
	require.True(t, hasKey(r, KeyRSV))
	require.False(t, hasKey(r, KeyRS))

	require.NoError(t, SetLocalNodeRelayShards(ln, RelayShards{Cluster: 1, Indices: []uint16{0, 7}}))
	r = ln.Node().Record()
	require.True(t, hasKey(r, KeyRS))
	require.False(t, hasKey(r, KeyRSV))
	got, err := RelayShardsFromRecord(r)
	require.NoError(t, err)
	require.Equal(t, RelayShards{Cluster: 1, Indices: []uint16{0, 7}}, got)

	require.Error(t, SetLocalNodeRelayShards(ln, RelayShards{Cluster: 1}))
}

func TestRelayShardsFromRecordBothKeys(t *testing.T) {
	// nwaku tests/test_waku_enr.nim "decode record with relay shards shard list
	// and bit vector fields": rs (cluster 22) wins over rsv (cluster 33).
	var r gethenr.Record
	r.Set(RS{Cluster: 22, Indices: []uint16{1, 1, 2, 3, 5, 8}})
	r.Set(RSV{Cluster: 33, Indices: []uint16{13, 24, 37, 61, 98, 159}})
	require.True(t, HasBothShardKeys(&r))
	got, err := RelayShardsFromRecord(&r)
	require.NoError(t, err)
	require.Equal(t, RelayShards{Cluster: 22, Indices: []uint16{1, 2, 3, 5, 8}}, got)

	// A malformed rs is reported; the rsv next to it is never read
	// (RELAY-SHARDING: readers MUST ignore rsv in a record carrying both).
	r.Set(gethenr.WithEntry(KeyRS, []byte{0, 22, 2, 0, 1}))
	_, err = RelayShardsFromRecord(&r)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, KeyRS, e.Key)
	require.Equal(t, ProblemCountMismatch, e.Problem)
	require.NotErrorIs(t, err, ErrFieldAbsent)
}

func TestRecordFieldErrors(t *testing.T) {
	tests := []struct {
		name  string
		entry gethenr.Entry
		read  func(*gethenr.Record) error
		key   string
		want  Problem
	}{
		{"rsv truncated", gethenr.WithEntry(KeyRSV, make([]byte, 129)),
			func(r *gethenr.Record) error { _, err := RelayShardsFromRecord(r); return err }, KeyRSV, ProblemTruncated},
		{"rs as RLP list", gethenr.WithEntry(KeyRS, []uint{1, 2}),
			func(r *gethenr.Record) error { _, err := RelayShardsFromRecord(r); return err }, KeyRS, ProblemMalformed},
		{"waku2 two bytes", gethenr.WithEntry(KeyWaku2, []byte{1, 2}),
			func(r *gethenr.Record) error { _, err := CapabilitiesFromRecord(r); return err }, KeyWaku2, ProblemOversized},
		{"waku2 as list", gethenr.WithEntry(KeyWaku2, []uint{1}),
			func(r *gethenr.Record) error { _, err := CapabilitiesFromRecord(r); return err }, KeyWaku2, ProblemMalformed},
		{"multiaddrs stray byte", gethenr.WithEntry(KeyMultiaddrs, []byte{0}),
			func(r *gethenr.Record) error { _, err := MultiaddrsFromRecord(r); return err }, KeyMultiaddrs, ProblemTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r gethenr.Record
			r.Set(tt.entry)
			err := tt.read(&r)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.key, e.Key)
			require.Equal(t, tt.want, e.Problem, e.Error())
		})
	}
}

func TestCapabilitiesInRecord(t *testing.T) {
	for _, c := range []shardmesh.Capabilities{0, shardmesh.CapRelay, shardmesh.CapRelay | shardmesh.CapStore | shardmesh.CapFilter | shardmesh.CapLightPush | shardmesh.CapSync, 0x80, 0xff} {
		var r gethenr.Record
		r.Set(Waku2(c))
		got, err := CapabilitiesFromRecord(&r)
		require.NoError(t, err)
		require.Equal(t, c, got)

		// go-waku writes the flags as an RLP integer (WithWakuBitfield sets a
		// uint8); that must read the same, including zero (RLP 0x80).
		var goWaku gethenr.Record
		goWaku.Set(gethenr.WithEntry(KeyWaku2, uint8(c)))
		got, err = CapabilitiesFromRecord(&goWaku)
		require.NoError(t, err)
		require.Equal(t, c, got)
	}
}

func TestMultiaddrsInRecord(t *testing.T) {
	// nwaku tests/test_waku_enr.nim "encode and decode record with multiaddrs field".
	addrs := mustMultiaddrs(t, "/ip4/127.0.0.1/tcp/80/ws", "/ip4/127.0.0.1/tcp/443/wss")
	var r gethenr.Record
	r.Set(Multiaddrs(addrs))
	got, err := MultiaddrsFromRecord(&r)
	require.NoError(t, err)
	require.Equal(t, addrs, got)
}
