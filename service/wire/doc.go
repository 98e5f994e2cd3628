// Package wire owns the wire formats a Waku service node speaks to light
// clients: filter v2 and light push v3 and v2 messages, their status codes,
// and the length-prefixed framing of their streams.
//
// The codecs are hand-written with google.golang.org/protobuf's protowire
// against the specifications' .proto files: waku-org/waku-proto
// waku/filter/v2beta1/filter.proto (FilterSubscribeRequest,
// FilterSubscribeResponse, MessagePush), waku-org/waku-proto
// waku/lightpush/v2beta1/lightpush.proto (PushRpc) and the LightpushRequest
// / LightpushResponse of waku-org/specs standards/core/lightpush.md (v3).
// Decoders follow proto3 semantics as the google.golang.org/protobuf runtime
// does (absent fields are zero, the last occurrence wins, unknown fields are
// skipped) and refuse broken framing and strings that are not UTF-8. The
// WakuMessage inside is shardmesh/protected's Message.
//
// The package does no I/O beyond reading and writing one frame on an
// io.Reader / io.Writer, and decides nothing: which status to answer is the
// servers' (service/filter, service/lightpush).
package wire
