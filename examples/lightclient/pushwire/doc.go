// Package pushwire owns the light client example's minimal light push v3
// codec (waku-org/specs standards/core/lightpush.md): it encodes a
// LightpushRequest carrying one WakuMessage and a LightpushResponse of a
// request id and status code, frames them with a uvarint length prefix, and
// reads a response's request_id (1) and status_code (10). Filter v2
// responses have the same request_id/status_code shape, so the example's
// peers answer filter subscribes with Response too.
//
// It does no I/O beyond one frame on a reader or writer and decides
// nothing (the example maps a status code to a selector outcome). It is not
// the service nodes' codec (service/wire, which decodes every field with
// proto3 semantics): the example only needs a status code to report.
// It imports no libp2p, so its fuzz target builds in seconds.
package pushwire
