package peerexchange

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Byte layouts written out by hand: 0x0a = field 1 bytes, 0x08 = field 1
// varint, 0x12 = field 2 bytes, 0x50 = field 10 varint, 0x5a = field 11 bytes.
func TestMarshalVectors(t *testing.T) {
	tests := []struct {
		name string
		rpc  RPC
		want string
	}{
		{"query for 5 peers", RPC{Query: &Query{NumPeers: 5}}, "0a020805"},
		{"query for 300 peers", RPC{Query: &Query{NumPeers: 300}}, "0a0308ac02"},
		{"server response with one ENR and status 200, query echoed as nwaku does",
			RPC{Query: &Query{}, Response: &Response{ENRs: [][]byte{{0xc1, 0x80}}, HasStatus: true, Status: StatusSuccess}},
			"0a020800" + "1209" + "0a04" + "0a02c180" + "50c801"},
		{"error response 429 with a description",
			RPC{Query: &Query{}, Response: &Response{HasStatus: true, Status: StatusTooManyRequests, StatusDesc: "slow"}},
			"0a020800" + "1209" + "50ad03" + "5a04736c6f77"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rpc.Marshal()
			if hex.EncodeToString(got) != tt.want {
				t.Fatalf("Marshal = %x, want %s", got, tt.want)
			}
			back, err := UnmarshalRPC(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Marshal(), got) {
				t.Fatalf("round trip changed the encoding: %x", back.Marshal())
			}
		})
	}
}

func TestUnmarshalVectors(t *testing.T) {
	t.Run("go-waku response: no query, no status", func(t *testing.T) {
		rpc, err := UnmarshalRPC(unhex(t, "1208"+"0a02"+"0a00"+"0a02"+"0a00"))
		if err != nil {
			t.Fatal(err)
		}
		if rpc.Query != nil || rpc.Response == nil || rpc.Response.HasStatus || len(rpc.Response.ENRs) != 2 {
			t.Fatalf("got %+v", rpc.Response)
		}
	})
	t.Run("malformed PeerInfo in the middle is counted, the rest kept", func(t *testing.T) {
		in := "1212" +
			"0a04" + "0a02c180" + // good
			"0a03" + "0a05ff" + // PeerInfo says 5 bytes of ENR, has 1
			"0a05" + "0a03c28001" // good
		rpc, err := UnmarshalRPC(unhex(t, in))
		if err != nil {
			t.Fatal(err)
		}
		r := rpc.Response
		if r.MalformedPeerInfos != 1 || len(r.ENRs) != 2 || !bytes.Equal(r.ENRs[1], []byte{0xc2, 0x80, 0x01}) {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("unknown fields and wire types skipped", func(t *testing.T) {
		rpc, err := UnmarshalRPC(unhex(t, "0803"+"0a0408071801"+"1d01020304"+"1204"+"5001"+"6001"))
		if err != nil {
			t.Fatal(err)
		}
		if rpc.Query == nil || rpc.Query.NumPeers != 7 || rpc.Response == nil || rpc.Response.Status != 1 {
			t.Fatalf("got %+v %+v", rpc.Query, rpc.Response)
		}
	})
	t.Run("status truncated to 32 bits", func(t *testing.T) {
		rpc, err := UnmarshalRPC(unhex(t, "1206"+"50c8818080"+"10")) // 200 + 2^32
		if err != nil {
			t.Fatal(err)
		}
		if rpc.Response.Status != StatusSuccess {
			t.Fatalf("status %d", rpc.Response.Status)
		}
	})
}

func TestUnmarshalMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"envelope length past the end": "1205",
		"bad tag":                      "00",
		"query with truncated varint":  "0a0108" + "",
		"response status cut":          "120150",
		"group end without start":      "0c",
	} {
		t.Run(name, func(t *testing.T) {
			var de *DecodeError
			if _, err := UnmarshalRPC(unhex(t, in)); !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %v", err)
			}
		})
	}
}

// pxDescriptors builds, at run time, the messages go-waku compiles
// (waku/v2/protocol/peer_exchange/pb) plus nwaku's status fields, so the
// real protobuf library checks our encoding both ways.
func pxDescriptors(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	msg := func(name string, fields ...*descriptorpb.FieldDescriptorProto) *descriptorpb.DescriptorProto {
		return &descriptorpb.DescriptorProto{Name: proto.String(name), Field: fields}
	}
	field := func(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(), Label: label.Enum()}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	opt, rep := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL, descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	fd := &descriptorpb.FileDescriptorProto{
		Name: proto.String("peer_exchange.proto"), Package: proto.String("px"), Syntax: proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			msg("PeerInfo", field("enr", 1, descriptorpb.FieldDescriptorProto_TYPE_BYTES, opt, "")),
			msg("PeerExchangeQuery", field("num_peers", 1, descriptorpb.FieldDescriptorProto_TYPE_UINT64, opt, "")),
			msg("PeerExchangeResponse",
				field("peer_infos", 1, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, rep, ".px.PeerInfo"),
				field("status_code", 10, descriptorpb.FieldDescriptorProto_TYPE_UINT32, opt, ""),
				field("status_desc", 11, descriptorpb.FieldDescriptorProto_TYPE_STRING, opt, "")),
			msg("PeerExchangeRPC",
				field("query", 1, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, opt, ".px.PeerExchangeQuery"),
				field("response", 2, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, opt, ".px.PeerExchangeResponse")),
		},
	}
	file, err := protodesc.NewFile(fd, nil)
	if err != nil {
		t.Fatal(err)
	}
	return file.Messages().ByName("PeerExchangeRPC")
}

func TestInteropWithProtobufLibrary(t *testing.T) {
	rpcDesc := pxDescriptors(t)
	ours := RPC{Query: &Query{NumPeers: 0}, Response: &Response{
		ENRs:      [][]byte{{0xc1, 0x80}, bytes.Repeat([]byte{7}, 300)},
		HasStatus: true, Status: StatusSuccess, StatusDesc: "ok",
	}}

	// Ours, read by the library.
	lib := dynamicpb.NewMessage(rpcDesc)
	if err := proto.Unmarshal(ours.Marshal(), lib); err != nil {
		t.Fatal(err)
	}
	resp := lib.Get(rpcDesc.Fields().ByName("response")).Message()
	infos := resp.Get(resp.Descriptor().Fields().ByName("peer_infos")).List()
	if infos.Len() != 2 {
		t.Fatalf("library reads %d peer infos", infos.Len())
	}
	enrField := infos.Get(1).Message().Descriptor().Fields().ByName("enr")
	if !bytes.Equal(infos.Get(1).Message().Get(enrField).Bytes(), ours.Response.ENRs[1]) {
		t.Fatal("library reads a different ENR")
	}
	if resp.Get(resp.Descriptor().Fields().ByName("status_code")).Uint() != 200 {
		t.Fatal("library reads a different status")
	}

	// The library's encoding, read by us, re-encodes to the same bytes.
	wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(lib)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalRPC(wire)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Marshal(), ours.Marshal()) {
		t.Fatalf("library bytes re-encode as %x, want %x", back.Marshal(), ours.Marshal())
	}
	// The only byte difference: proto3 omits num_peers = 0 in the query
	// echo, which we write explicitly for nwaku (0a00 against 0a020800).
	if want := append([]byte{0x0a, 0x00}, ours.Marshal()[4:]...); !bytes.Equal(wire, want) {
		t.Fatalf("library %x\nwant    %x", wire, want)
	}
}
