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
