package sandbox

import (
	"net/http"
	"sync/atomic"
	"time"

	"qrtill/payments"
)

// cst is China Standard Time, the zone both providers write times in
// (alipay_wire.go uses it too).
var cst = time.FixedZone("CST", 8*3600)

// wechatWire speaks WeChat Pay API v3 (PROTOCOLS.md part B) on the
// gateway: requests authenticated by the merchant's signature over the
// raw body and request line, every 2xx answer signed, error answers
// unsigned, notifications (TRANSACTION.SUCCESS, REFUND.*) encrypted with
// AEAD_AES_256_GCM under the APIv3 key and signed. Signing follows the
// wechat_signing mode: the WeChat Pay public key (Wechatpay-Serial =
// PUB_KEY_ID_…, the default), the platform certificate (its serial_no;
// GET /v3/certificates hands it out, encrypted), or both during the
// switch. Trades live in the gateway's ledger.
//
// Deviations from the real service, on purpose:
//   - A Native trade that has been scanned (the wallet page opened it)
//     answers trade_state USERPAYING, so a till can show "scanned"; real
//     WeChat Pay stays NOTPAY until the buyer pays.
//   - A Native trade without time_expire, or with a later one, expires
//     with its code_url after two hours (real: payable for seven days).
//   - A refund succeeds at once: status SUCCESS on creation, on repeats
//     and on query (real: PROCESSING first), unless a refund fault makes
//     it PROCESSING for a minute × time-scale first.
//   - GET /v3/certificates answers 404 RESOURCE_NOT_EXISTS in public-key
//     mode (a merchant that never had platform certificates).
//   - Customer-presented auth codes follow the test rules of
//     codepayRule.
type wechatWire struct {
	g *Gateway
	// notices counts notifications signed in the switching mode, which
	// alternates the key.
	notices atomic.Uint64
}

// NewWeChatWire returns the WeChat Pay v3 wire of a gateway.
func NewWeChatWire(g *Gateway) Wire { return &wechatWire{g: g} }

// Channel is WeChat Pay.
func (w *wechatWire) Channel() payments.Channel { return payments.WeChat }

// Routes adds the v3 endpoints a till uses.
func (w *wechatWire) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/pay/transactions/native", w.authed(w.native))
	mux.HandleFunc("GET /v3/pay/transactions/out-trade-no/{no}", w.authed(w.queryByOutTradeNo))
	mux.HandleFunc("GET /v3/pay/transactions/id/{id}", w.authed(w.queryByTransactionID))
	mux.HandleFunc("POST /v3/pay/transactions/out-trade-no/{no}/close", w.authed(w.close))
	mux.HandleFunc("POST /v3/pay/transactions/codepay", w.authed(w.codepay))
	mux.HandleFunc("POST /v3/pay/transactions/out-trade-no/{no}/reverse", w.authed(w.reverse))
	mux.HandleFunc("POST /v3/refund/domestic/refunds", w.authed(w.refund))
	mux.HandleFunc("GET /v3/refund/domestic/refunds/{no}", w.authed(w.refundQuery))
	mux.HandleFunc("GET /v3/certificates", w.authed(w.certificates))
}

// Acknowledged: WeChat Pay takes HTTP 200 or 204 as success, whatever
// the body.
func (w *wechatWire) Acknowledged(status int, _ []byte) bool {
	return status == http.StatusOK || status == http.StatusNoContent
}

// AnswerDeadline: WeChat Pay wants the merchant's answer within 5 s
// (payment-notice: 需在5秒内完成对报文的验签，并应答).
func (w *wechatWire) AnswerDeadline() time.Duration { return 5 * time.Second }

// wechatRetrySchedule is WeChat Pay's documented redelivery schedule
// (24h4m in all) [apiv3 chapter3_2_5].
var wechatRetrySchedule = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute,
	10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 30 * time.Minute,
	30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
	3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// RetrySchedule is the delay before each redelivery of an
// unacknowledged notification (a fresh copy each call).
func (w *wechatWire) RetrySchedule() []time.Duration {
	return append([]time.Duration(nil), wechatRetrySchedule...)
}

// keys are the gateway's ids and keys.
func (w *wechatWire) keys() *Keys { return w.g.Keys() }
