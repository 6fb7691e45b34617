package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
)

// Notification is the trade_status_sync form Alipay posts for a paid
// trade (PROTOCOLS A11): trade_status TRADE_SUCCESS, or TRADE_FINISHED for
// a trade finished at once. notify_id is derived from the trade, so every
// retry of one notification carries the same id; notify_time is the time
// of each attempt. f.BadSignature corrupts the signature; f.AmountFen
// claims another amount (total, receipt and buyer-paid), still correctly
// signed.
func (w *alipayWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	if t.TradeNo == "" || t.PaidAt.IsZero() {
		return Delivery{}, fmt.Errorf("alipay notification of %s: trade is not paid", t.OutTradeNo)
	}
	amount := t.AmountFen
	if f.AmountFen != 0 {
		amount = f.AmountFen
	}
	status := "TRADE_SUCCESS"
	if t.Finished {
		status = "TRADE_FINISHED"
	}
	p := w.notifyFields(t, amount, status)
	p["notify_id"] = w.notifyID(t.TradeNo + "/" + status)
	return w.signedNotification(t, p, f.BadSignature)
}

// RefundNotification is the trade_status_sync form Alipay posts when a
// refund of a trade is done (PROTOCOLS A11): the payment's fields, with
// trade_status TRADE_SUCCESS after a partial refund or TRADE_CLOSED once
// refunded in full (then gmt_close), refund_fee the total refunded so far,
// gmt_refund and out_biz_no, the refund's out_request_no. Alipay says
// nothing for a refund that did not go through.
func (w *alipayWire) RefundNotification(t Trade, r Refund) (Delivery, error) {
	if r.Status != RefundSucceeded {
		return Delivery{}, fmt.Errorf("alipay refund %s: %w", r.Status, errNoNotification)
	}
	if t.TradeNo == "" || t.PaidAt.IsZero() {
		return Delivery{}, fmt.Errorf("alipay refund notification of %s: trade is not paid", t.OutTradeNo)
	}
	status := "TRADE_SUCCESS"
	if t.Status == StatusRefunded && SettledRefundFen(t) >= t.AmountFen {
		status = "TRADE_CLOSED"
	}
	p := w.notifyFields(t, t.AmountFen, status)
	p["notify_id"] = w.notifyID(t.TradeNo + "/refund/" + r.RefundNo)
	p["refund_fee"], p["gmt_refund"], p["out_biz_no"] = aliYuan(SettledRefundFen(t)), alipayTime(r.SettledAt), r.RefundNo
	if status == "TRADE_CLOSED" {
		p["gmt_close"] = alipayTime(r.SettledAt)
	}
	return w.signedNotification(t, p, false)
}

// notifyID derives a notification's id from what it is about, so retries
// carry the same one.
func (w *alipayWire) notifyID(about string) string {
	sum := sha256.Sum256([]byte(w.g.Keys().AlipayAppID + "/" + about))
	return hex.EncodeToString(sum[:16])
}

// notifyFields are the fields every trade notification of t carries.
func (w *alipayWire) notifyFields(t Trade, amount int64, status string) map[string]string {
	keys := w.g.Keys()
	created := t.CreatedAt
	if !t.ScannedAt.IsZero() {
		created = t.ScannedAt // Alipay's trade begins at the scan
	}
	return map[string]string{
		"notify_time": alipayTime(w.g.Now()), "notify_type": "trade_status_sync",
		"app_id": keys.AlipayAppID, "auth_app_id": keys.AlipayAppID, "charset": "utf-8", "version": "1.0",
		"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "buyer_id": t.BuyerID, "buyer_logon_id": t.BuyerLogon,
		"seller_id": keys.AlipaySellerID, "trade_status": status, "total_amount": aliYuan(amount),
		"receipt_amount": aliYuan(amount), "buyer_pay_amount": aliYuan(amount), "invoice_amount": aliYuan(amount), "point_amount": "0.00",
		"subject": t.Subject, "gmt_create": alipayTime(created), "gmt_payment": alipayTime(t.PaidAt),
		"fund_bill_list": fmt.Sprintf(`[{"amount":"%s","fundChannel":"ALIPAYACCOUNT"}]`, aliYuan(amount)),
	}
}

// signedNotification signs the fields RSA2 over everything but sign and
// sign_type — with the key the trade's client verifies with (the rotated
// certificate's for a certificate-mode trade once Alipay rotated) — and
// makes the form delivery; bad corrupts the signature.
func (w *alipayWire) signedNotification(t Trade, p map[string]string, bad bool) (Delivery, error) {
	key, _ := w.signer(t.CertMode)
	sig := sign(key, []byte(alipaySignString(p)))
	if bad {
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(raw) == 0 {
			return Delivery{}, fmt.Errorf("alipay notification of %s: signing failed", t.OutTradeNo)
		}
		raw[len(raw)/2] ^= 0xff
		sig = base64.StdEncoding.EncodeToString(raw)
	}
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	form.Set("sign_type", "RSA2")
	form.Set("sign", sig)
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	return Delivery{Header: h, Body: []byte(form.Encode()), NotifyID: p["notify_id"]}, nil
}
