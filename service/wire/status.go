package wire

// Status codes of filter v2 (rfc-index 12/WAKU2-FILTER, "Filter-subscribe":
// 200, 400, 404, 429, 500, 503) and light push v3 (waku-org/specs
// standards/core/lightpush.md; nwaku waku/waku_lightpush/common.nim, which
// adds 420, 504 and 505, and js-waku's LightPushStatusCodeV3 in
// @waku/interfaces). Both protocols share the numbers they have in common.
const (
	StatusOK                     uint32 = 200
	StatusBadRequest             uint32 = 400
	StatusNotFound               uint32 = 404 // filter: ping or unsubscribe without a subscription
	StatusPayloadTooLarge        uint32 = 413
	StatusInvalidMessage         uint32 = 420
	StatusUnsupportedPubsubTopic uint32 = 421
	StatusTooManyRequests        uint32 = 429
	StatusInternalServerError    uint32 = 500
	StatusServiceUnavailable     uint32 = 503
	StatusNoPeersToRelay         uint32 = 505
)

// The status head: the fields that filter v2's subscribe response and light
// push v3's response share, with the same numbers: request id (1), status
// code (10) and status description (11).

// appendStatusHead appends the status head, each field left out when empty.
func appendStatusHead(b []byte, requestID string, code uint32, desc string) []byte {
	if requestID != "" {
		b = appendString(b, 1, requestID)
	}
	if code != 0 {
		b = appendVarint(b, 10, uint64(code))
	}
	if desc != "" {
		b = appendString(b, 11, desc)
	}
	return b
}

// decodeStatusHead decodes fd into the status head field it is, if it is
// one, and reports whether it was; msg names the message in errors.
func decodeStatusHead(msg string, fd field, requestID *string, code *uint32, desc *string) (bool, error) {
	var err error
	switch {
	case fd.num == 1 && fd.typ == bytesT:
		*requestID, err = str(msg, "request_id", fd)
	case fd.num == 10 && fd.typ == varintT:
		*code = uint32(fd.v)
	case fd.num == 11 && fd.typ == bytesT:
		*desc, err = str(msg, "status_desc", fd)
	default:
		return false, nil
	}
	return true, err
}
