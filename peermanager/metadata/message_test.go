package metadata

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

	"github.com/wakupm/wakupm/shardmesh"
)

func shards(t testing.TB, idx ...uint16) shardmesh.ShardSet {
	t.Helper()
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Byte layouts written out by hand from the protobuf encoding rules and the
// field numbers of the spec and implementations: tag = field<<3 | wire type,
// so 0x08 = field 1 varint, 0x10 = field 2 varint, 0x1a = field 3 length-
// delimited, 0x12 = field 2 length-delimited.
func TestMarshalVectors(t *testing.T) {
	tests := []struct {
		name string
		m    Metadata
		want string
	}{
		{"status cluster, shards 32 and 64", New(16, shards(t, 32, 64)),
			"0810" + "1020" + "1040" + "1a022040"},
		{"shard needing a two-byte varint (300 = ac 02)", New(1, shards(t, 0, 300)),
			"0801" + "1000" + "10ac02" + "1a0300ac02"},
		{"cluster 0 is written, not omitted", New(0, shardmesh.ShardSet{}), "0800"},
		{"light node: cluster only", New(1, shardmesh.ShardSet{}), "0801"},
		{"no cluster, no shards: empty message", Metadata{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.m.Marshal()
			if hex.EncodeToString(got) != tt.want {
				t.Fatalf("Marshal = %x, want %s", got, tt.want)
			}
			if len(got) != tt.m.size(true) {
				t.Fatalf("size = %d, encoded %d bytes", tt.m.size(true), len(got))
			}
			back, err := Unmarshal(got)
			if err != nil || back != tt.m {
				t.Fatalf("Unmarshal(Marshal(m)) = %+v, %v; want %+v", back, err, tt.m)
			}
		})
	}
}

func TestUnmarshalVectors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Metadata
	}{
		{"older nwaku: field 2 packed only", "0801" + "1203000102",
			New(1, shards(t, 0, 1, 2))},
		{"field 2 unpacked only (deprecated writer)", "0801" + "1005" + "1007",
			New(1, shards(t, 5, 7))},
		{"field 3 preferred over field 2", "0801" + "1005" + "1a0109",
			New(1, shards(t, 9))},
		{"field 3 before field 2 still preferred", "1a0109" + "1005" + "0801",
			New(1, shards(t, 9))},
		{"an empty field 3 still wins", "0801" + "1005" + "1a00",
			New(1, shardmesh.ShardSet{})},
		{"field 3 unpacked and split in pieces", "0802" + "1801" + "1a0102" + "1803",
			New(2, shards(t, 1, 2, 3))},
		{"duplicates collapse", "0802" + "1a03010101", New(2, shards(t, 1))},
		{"missing cluster", "1a0101", Metadata{Shards: shards(t, 1)}},
		{"last cluster wins", "0801" + "0810", New(16, shardmesh.ShardSet{})},
		{"cluster truncated to 32 bits like protobuf uint32",
			"08" + "9080808010", // 2^32 + 16
			New(16, shardmesh.ShardSet{})},
		{"cluster above 16 bits is kept", "08908004", // 65536 + 16 = 0x10010
			Metadata{Cluster: 0x10010, HasCluster: true}},
		{"unknown fields skipped", "0801" + "2203616263" + "2d01020304" + "3001" + "1a0104",
			New(1, shards(t, 4))},
		{"cluster with a wrong wire type is an unknown field", "0a0101" + "1a0104",
			Metadata{Shards: shards(t, 4)}},
		{"shard above 1023 is counted, not kept", "0801" + "1a04" + "8008" + "ff07", // 1024, 1023
			Metadata{Cluster: 1, HasCluster: true, Shards: shards(t, 1023), OutOfRangeShards: 1}},
		{"empty input", "", Metadata{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unmarshal(unhex(t, tt.in))
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if got != tt.want {
				t.Fatalf("got %+v (shards %v), want %+v (shards %v)", got, got.Shards, tt.want, tt.want.Shards)
			}
		})
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		field int32
	}{
		{"truncated cluster varint", "0880", 1},
		{"field number 0", "0001", 0},
		{"packed run longer than input", "1a05010203", 3},
		{"truncated varint inside packed run", "1a0180", 3},
		{"truncated unknown bytes field", "2205ab", 4},
		{"end-group without start", "0c", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal(unhex(t, tt.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %v", err)
			}
			if int32(de.Field) != tt.field {
				t.Fatalf("error names field %d, want %d (%v)", de.Field, tt.field, err)
			}
		})
	}
}

// metadataDescriptor builds, at run time, the message go-waku compiles from
// waku/v2/protocol/metadata/pb (cluster_id = 1 optional; shards = 3 packed;
// shards_deprecated = 2 unpacked), so that the real protobuf library checks
// our hand-written encoding both ways.
func metadataDescriptor(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	u32 := descriptorpb.FieldDescriptorProto_TYPE_UINT32.Enum()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	fd := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("waku_metadata.proto"),
		Package: proto.String("waku.metadata.v1"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("WakuMetadataResponse"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("cluster_id"), Number: proto.Int32(1), Type: u32, Label: opt,
					Proto3Optional: proto.Bool(true), OneofIndex: proto.Int32(0)},
				{Name: proto.String("shards_deprecated"), Number: proto.Int32(2), Type: u32, Label: rep,
					Options: &descriptorpb.FieldOptions{Packed: proto.Bool(false)}},
				{Name: proto.String("shards"), Number: proto.Int32(3), Type: u32, Label: rep},
			},
			OneofDecl: []*descriptorpb.OneofDescriptorProto{{Name: proto.String("_cluster_id")}},
		}},
	}
	file, err := protodesc.NewFile(fd, nil)
	if err != nil {
		t.Fatal(err)
	}
	return file.Messages().Get(0)
}

func TestInteropWithProtobufLibrary(t *testing.T) {
	desc := metadataDescriptor(t)
	fields := desc.Fields()
	for _, m := range []Metadata{
		New(16, shards(t, 32, 64)),
		New(1, shards(t, 0, 1, 2, 3, 4, 5, 6, 7)),
		New(0, shards(t, 127, 128, 1023)),
		New(1, shardmesh.ShardSet{}),
	} {
		// Library-encoded message, as go-waku sends it, decoded by us.
		lib := dynamicpb.NewMessage(desc)
		lib.Set(fields.ByNumber(1), protoreflect.ValueOfUint32(m.Cluster))
		for _, num := range []protoreflect.FieldNumber{2, 3} {
			list := lib.Mutable(fields.ByNumber(num)).List()
			for s := range m.Shards.All() {
				list.Append(protoreflect.ValueOfUint32(uint32(s)))
			}
		}
		wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(lib)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wire, m.Marshal()) {
			t.Errorf("library encodes %x, we encode %x", wire, m.Marshal())
		}
		got, err := Unmarshal(wire)
		if err != nil || got != m {
			t.Errorf("Unmarshal(library bytes) = %+v, %v; want %+v", got, err, m)
		}

		// Our message decoded by the library.
		back := dynamicpb.NewMessage(desc)
		if err := proto.Unmarshal(m.Marshal(), back); err != nil {
			t.Fatal(err)
		}
		if !back.Has(fields.ByNumber(1)) || uint32(back.Get(fields.ByNumber(1)).Uint()) != m.Cluster {
			t.Errorf("library reads cluster %v, want %d", back.Get(fields.ByNumber(1)), m.Cluster)
		}
		for _, num := range []protoreflect.FieldNumber{2, 3} {
			list := back.Get(fields.ByNumber(num)).List()
			if list.Len() != m.Shards.Len() {
				t.Errorf("library reads %d shards in field %d, want %d", list.Len(), num, m.Shards.Len())
			}
		}
	}
}

func TestEncodeLocalStaysWithinNwakuLimit(t *testing.T) {
	for _, n := range []int{8, 100, 200, 400, 1024} {
		var set shardmesh.ShardSet
		for i := range n {
			set.Add(uint16(i))
		}
		svc := &Service{cluster: 16, cfg: config{
			shards: func() shardmesh.ShardSet { return set },
			logger: discardLogger(),
		}}
		enc := svc.encodeLocal()
		if len(enc) > MaxWriteSize {
			t.Fatalf("%d shards: %d bytes > %d", n, len(enc), MaxWriteSize)
		}
		got, err := Unmarshal(enc)
		if err != nil {
			t.Fatal(err)
		}
		if got.Shards.Difference(set) != (shardmesh.ShardSet{}) {
			t.Fatalf("%d shards: advertised shards we do not have", n)
		}
		if n <= 400 && got.Shards != set {
			t.Fatalf("%d shards fit in the packed field but %d were advertised", n, got.Shards.Len())
		}
		if n <= 100 && !bytes.Equal(enc, New(16, set).Marshal()) {
			t.Fatalf("%d shards: both shard fields fit but the deprecated one was dropped", n)
		}
	}
}
