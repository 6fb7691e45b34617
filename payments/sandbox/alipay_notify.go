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
// trade (PROTOCOLS A11), signed RSA2 with the platform key over every
// field but sign and sign_type. notify_id is derived from the trade, so
// every retry of one notification carries the same id; notify_time is the
// time of each attempt. f.BadSignature corrupts the signature;
// f.AmountFen claims another amount (total, receipt and buyer-paid),
// still correctly signed.
func (w *alipayWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	if t.TradeNo == "" || t.PaidAt.IsZero() {
		return Delivery{}, fmt.Errorf("alipay notification of %s: trade is not paid", t.OutTradeNo)
	}
	keys := w.g.Keys()
	amount := t.AmountFen
	if f.AmountFen != 0 {
		amount = f.AmountFen
	}
	sum := sha256.Sum256([]byte(keys.AlipayAppID + "/" + t.TradeNo + "/TRADE_SUCCESS"))
	notifyID := hex.EncodeToString(sum[:16])
	created := t.CreatedAt
	if !t.ScannedAt.IsZero() {
		created = t.ScannedAt // Alipay's trade begins at the scan
	}
	p := map[string]string{
		"notify_time": alipayTime(w.g.Now()), "notify_type": "trade_status_sync", "notify_id": notifyID,
		"app_id": keys.AlipayAppID, "auth_app_id": keys.AlipayAppID, "charset": "utf-8", "version": "1.0",
		"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "buyer_id": t.BuyerID, "buyer_logon_id": t.BuyerLogon,
		"seller_id": keys.AlipaySellerID, "trade_status": "TRADE_SUCCESS", "total_amount": aliYuan(amount),
		"receipt_amount": aliYuan(amount), "buyer_pay_amount": aliYuan(amount), "invoice_amount": aliYuan(amount), "point_amount": "0.00",
		"subject": t.Subject, "gmt_create": alipayTime(created), "gmt_payment": alipayTime(t.PaidAt),
		"fund_bill_list": fmt.Sprintf(`[{"amount":"%s","fundChannel":"ALIPAYACCOUNT"}]`, aliYuan(amount)),
	}
	sig := w.sign([]byte(alipaySignString(p)))
	if f.BadSignature {
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
	return Delivery{Header: h, Body: []byte(form.Encode()), NotifyID: notifyID}, nil
}
