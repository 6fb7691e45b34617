package wechat

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// signTestPrefix starts the deliberately wrong signatures WeChat Pay sends
// to check that merchants verify.
const signTestPrefix = "WECHATPAY/SIGNTEST/"

// The notification algorithm and event types this provider accepts.
const (
	algorithmAESGCM  = "AEAD_AES_256_GCM"
	eventTransaction = "TRANSACTION.SUCCESS"
	eventRefundPfx   = "REFUND."
	eventRefundOK    = "REFUND.SUCCESS"
)

// maxNotifyBody bounds a notification body; real ones are ~1 KB.
const maxNotifyBody = 64 << 10

// ParseNotification verifies and decodes a WeChat Pay notification: the
// signature must verify with the configured public key (a SIGNTEST probe
// never does), the resource must decrypt with the APIv3 key, and the
// mchid/appid inside must be this merchant's. The signature may be by the
// WeChat Pay public key or a platform certificate, whichever the
// configuration trusts (both during the switch). TRANSACTION.SUCCESS
// becomes StatePaid with both the order total (AmountFen) and what the
// buyer paid (PaidFen), exactly as notified; REFUND.SUCCESS becomes
// StateRefunded with RefundedFen the amount of that refund, and
// REFUND.ABNORMAL / REFUND.CLOSED leave the trade StatePaid; each REFUND.*
// also sets Notification.Refund (RefundSuccess, RefundAbnormal,
// RefundFailed). The ID is the event id, the same across retries.
//
// No freshness window is applied to Wechatpay-Timestamp: a notification
// kept by the relay may reach the till hours later. Dedup by ID is the
// till's job.
func (p *Provider) ParseNotification(r *http.Request) (payments.Notification, error) {
	if r == nil || r.Body == nil {
		return payments.Notification{}, fmt.Errorf("wechat notify: no body: %w", payments.ErrMalformed)
	}
	if strings.HasPrefix(r.Header.Get(wxv3.HeaderSignature), signTestPrefix) {
		return payments.Notification{}, fmt.Errorf("wechat notify: signature probe (%s…) refused: %w", signTestPrefix, payments.ErrBadSignature)
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxNotifyBody)
	// gopay's parse error quotes the whole body: not passed on.
	req, err := wxv3.V3ParseNotify(r)
	if err != nil || req == nil || req.SignInfo == nil {
		return payments.Notification{}, fmt.Errorf("wechat notify: body is not a notification: %w", payments.ErrMalformed)
	}
	si := req.SignInfo
	if si.HeaderSignature == "" || si.HeaderTimestamp == "" || si.HeaderNonce == "" || si.HeaderSerial == "" {
		return payments.Notification{}, fmt.Errorf("wechat notify: unsigned (Wechatpay-* headers missing): %w", payments.ErrBadSignature)
	}
	keys, ok := p.notifyKeys(si.HeaderSerial)
	if !ok {
		return payments.Notification{}, fmt.Errorf("wechat notify: signed by unknown key %q: %w", shorten(si.HeaderSerial, 64), payments.ErrBadSignature)
	}
	if err := req.VerifySignByPKMap(keys); err != nil {
		return payments.Notification{}, fmt.Errorf("wechat notify: signature did not verify: %w", payments.ErrBadSignature)
	}
	if req.Id == "" || req.Resource == nil {
		return payments.Notification{}, fmt.Errorf("wechat notify: no event id or resource: %w", payments.ErrMalformed)
	}
	if req.Resource.Algorithm != algorithmAESGCM {
		return payments.Notification{}, fmt.Errorf("wechat notify: resource algorithm %q: %w", shorten(req.Resource.Algorithm, 32), payments.ErrMalformed)
	}
	n := payments.Notification{Channel: payments.WeChat, ID: req.Id, ReceivedAt: p.clock()}
	switch {
	case req.EventType == eventTransaction:
		n.Status, err = p.paidStatus(req)
	case strings.HasPrefix(req.EventType, eventRefundPfx):
		n.Status, n.Refund, err = p.refundStatus(req)
	default:
		err = fmt.Errorf("wechat notify: event type %q not handled: %w", shorten(req.EventType, 32), payments.ErrMalformed)
	}
	if err != nil {
		return payments.Notification{}, err
	}
	return n, nil
}

// notifyKeys returns the keys notifications are verified with, and
// whether serial is among them. In platform-certificate mode a serial not
// known yet may be a certificate WeChat Pay just started using: the
// certificates are downloaded (at most once per certRetry) and looked at
// again.
func (p *Provider) notifyKeys(serial string) (map[string]*rsa.PublicKey, bool) {
	keys := *p.keys.Load()
	if _, ok := keys[serial]; ok || p.certs == nil || strings.HasPrefix(serial, publicKeyIDPrefix) {
		return keys, ok
	}
	_ = p.refreshCerts(true)
	keys = *p.keys.Load()
	_, ok := keys[serial]
	return keys, ok
}

// paidStatus decrypts a TRANSACTION.SUCCESS resource.
func (p *Provider) paidStatus(req *wxv3.V3NotifyReq) (payments.TradeStatus, error) {
	// gopay's decrypt errors quote the notification (and, for a JSON
	// error, the plaintext): not passed on.
	res, err := req.DecryptPayCipherText(p.apiV3Key)
	if err != nil || res == nil {
		return payments.TradeStatus{}, fmt.Errorf("wechat notify: resource did not decrypt: %w", payments.ErrMalformed)
	}
	if res.Mchid != p.cfg.MchID || res.Appid != p.cfg.AppID {
		return payments.TradeStatus{}, fmt.Errorf("wechat notify: for merchant %q app %q: %w", shorten(res.Mchid, 32), shorten(res.Appid, 32), payments.ErrWrongMerchant)
	}
	if res.TradeState != tradeSuccess {
		return payments.TradeStatus{}, fmt.Errorf("wechat notify: %s with trade_state %q: %w", eventTransaction, shorten(res.TradeState, 32), payments.ErrMalformed)
	}
	if res.OutTradeNo == "" || res.TransactionId == "" || res.Amount == nil {
		return payments.TradeStatus{}, fmt.Errorf("wechat notify: out_trade_no, transaction_id or amount missing: %w", payments.ErrMalformed)
	}
	return p.tradeStatus("notify", transaction{
		OutTradeNo: res.OutTradeNo, TransactionID: res.TransactionId, TradeState: res.TradeState,
		SuccessTime: res.SuccessTime, Payer: res.Payer, Amount: res.Amount,
	})
}

// refundEvents are the refund notification event types, with the
// refund_status each must carry and the refund state it means.
var refundEvents = map[string]struct {
	status string
	state  payments.RefundState
}{
	eventRefundOK:     {"SUCCESS", payments.RefundSuccess},
	"REFUND.ABNORMAL": {"ABNORMAL", payments.RefundAbnormal},
	"REFUND.CLOSED":   {"CLOSED", payments.RefundFailed},
}

// refundStatus decrypts a REFUND.* resource: the trade (StateRefunded
// with RefundedFen this refund's amount for REFUND.SUCCESS, else still
// StatePaid) and the refund itself (Notification.Refund: out_refund_no,
// refund_id, its state, amount and success_time), which is how a refund
// made outside the till reaches it.
func (p *Provider) refundStatus(req *wxv3.V3NotifyReq) (payments.TradeStatus, *payments.RefundNotice, error) {
	res, err := req.DecryptRefundCipherText(p.apiV3Key)
	if err != nil || res == nil {
		return payments.TradeStatus{}, nil, fmt.Errorf("wechat notify: resource did not decrypt: %w", payments.ErrMalformed)
	}
	if res.Mchid != p.cfg.MchID {
		return payments.TradeStatus{}, nil, fmt.Errorf("wechat notify: for merchant %q: %w", shorten(res.Mchid, 32), payments.ErrWrongMerchant)
	}
	if res.OutTradeNo == "" || res.OutRefundNo == "" || res.Amount == nil {
		return payments.TradeStatus{}, nil, fmt.Errorf("wechat notify: out_trade_no, out_refund_no or amount missing: %w", payments.ErrMalformed)
	}
	ev, ok := refundEvents[req.EventType]
	if !ok || res.RefundStatus != ev.status {
		return payments.TradeStatus{}, nil, fmt.Errorf("wechat notify: %s with refund_status %q: %w", shorten(req.EventType, 32), shorten(res.RefundStatus, 32), payments.ErrMalformed)
	}
	st := payments.TradeStatus{
		OutTradeNo:      res.OutTradeNo,
		ProviderTradeNo: res.TransactionId,
		AmountFen:       int64(res.Amount.Total),
		PaidFen:         int64(res.Amount.PayerTotal),
		RawCode:         req.EventType,
		State:           payments.StatePaid,
	}
	if ev.state == payments.RefundSuccess {
		st.State = payments.StateRefunded
		st.RefundedFen = int64(res.Amount.Refund)
	}
	refund := &payments.RefundNotice{RefundNo: res.OutRefundNo, ProviderRefundNo: res.RefundId, State: ev.state, AmountFen: int64(res.Amount.Refund)}
	if at, err := time.Parse(time.RFC3339, res.SuccessTime); err == nil {
		refund.At = at
	}
	return st, refund, nil
}

// Acknowledge answers WeChat Pay: 204 with no body when err is nil;
// otherwise {"code":"FAIL","message":…} with 400 for a notification that
// failed verification or parsing (a retry will not help) and 500 for
// anything else (e.g. the till could not store it), so WeChat Pay retries.
// The message is a fixed phrase, never err's text.
func (p *Provider) Acknowledge(w http.ResponseWriter, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status, msg := http.StatusInternalServerError, "internal error"
	switch {
	case errors.Is(err, payments.ErrBadSignature):
		status, msg = http.StatusBadRequest, "signature verification failed"
	case errors.Is(err, payments.ErrWrongMerchant):
		status, msg = http.StatusBadRequest, "wrong merchant"
	case errors.Is(err, payments.ErrMalformed):
		status, msg = http.StatusBadRequest, "malformed notification"
	case errors.Is(err, payments.ErrNotificationRefused):
		status, msg = http.StatusBadRequest, "the trade or its amount does not match the merchant's order"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"code":"FAIL","message":%q}`, msg)
}
