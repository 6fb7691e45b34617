package alipay

import (
	"fmt"
	"io"
	"net/http"

	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// ParseNotification verifies an Alipay notification (a POSTed form, RSA2
// over every field but sign and sign_type, PROTOCOLS A11) with
// ParseNotifyToBodyMap and VerifySign (or VerifySignWithCert), then
// checks it names this app_id and seller_id (else ErrWrongMerchant).
// The Notification's ID is notify_id; its Status carries out_trade_no,
// trade_no, the masked buyer, total_amount as AmountFen, what the buyer
// paid (buyer_pay_amount, else receipt_amount) as PaidFen, and
// gmt_payment. Matching out_trade_no and the amounts with the stored
// attempt is the till's job: they are returned exactly as signed.
//
// A query string, a repeated field, a sign_type other than RSA2 or any
// unreadable amount is refused: nothing about such a request is trusted.
func (p *Provider) ParseNotification(r *http.Request) (payments.Notification, error) {
	if r.Method != http.MethodPost {
		return payments.Notification{}, fmt.Errorf("alipay notify: method %s: %w", r.Method, payments.ErrMalformed)
	}
	if r.URL.RawQuery != "" {
		// gopay folds query parameters into the signed set; a notify_url
		// never has one, so this request is not Alipay's.
		return payments.Notification{}, fmt.Errorf("alipay notify: unexpected query string: %w", payments.ErrMalformed)
	}
	bm, err := goali.ParseNotifyToBodyMap(r)
	if err != nil {
		return payments.Notification{}, fmt.Errorf("alipay notify: unreadable form: %w", payments.ErrMalformed)
	}
	for k, v := range r.PostForm {
		if len(v) != 1 {
			return payments.Notification{}, fmt.Errorf("alipay notify: field %q repeated: %w", k, payments.ErrMalformed)
		}
	}
	if bm.GetString("sign") == "" {
		return payments.Notification{}, fmt.Errorf("alipay notify: unsigned: %w", payments.ErrBadSignature)
	}
	if st := bm.GetString("sign_type"); st != "RSA2" {
		return payments.Notification{}, fmt.Errorf("alipay notify: sign_type %q, want RSA2: %w", st, payments.ErrBadSignature)
	}
	f := make(map[string]string, len(bm))
	for k := range bm {
		f[k] = bm.GetString(k)
	}
	var ok bool
	if p.cfg.certMode() {
		ok, err = goali.VerifySignWithCert(p.keys.alipayCert, bm) // removes sign and sign_type from bm
	} else {
		ok, err = goali.VerifySign(p.keys.publicB64, bm)
	}
	if err != nil || !ok {
		return payments.Notification{}, fmt.Errorf("alipay notify: %w", payments.ErrBadSignature)
	}
	if f["app_id"] != p.cfg.AppID || f["seller_id"] != p.cfg.SellerID {
		return payments.Notification{}, fmt.Errorf("alipay notify: app_id %q seller_id %q: %w", f["app_id"], f["seller_id"], payments.ErrWrongMerchant)
	}
	st, err := notifyStatus(f)
	if err != nil {
		return payments.Notification{}, err
	}
	return payments.Notification{Channel: payments.Alipay, ID: f["notify_id"], ReceivedAt: p.clock(), Status: st}, nil
}

// notifyStatus reads a verified notification's trade fields.
func notifyStatus(f map[string]string) (payments.TradeStatus, error) {
	if f["notify_id"] == "" || f["out_trade_no"] == "" {
		return payments.TradeStatus{}, fmt.Errorf("alipay notify: no notify_id or out_trade_no: %w", payments.ErrMalformed)
	}
	total, err := parseYuan(f["total_amount"])
	if err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay notify: total_amount: %v: %w", err, payments.ErrMalformed)
	}
	paid, err := paidFen(f["buyer_pay_amount"], f["receipt_amount"], f["total_amount"])
	if err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay notify: %v: %w", err, payments.ErrMalformed)
	}
	st := payments.TradeStatus{OutTradeNo: f["out_trade_no"], ProviderTradeNo: f["trade_no"], Buyer: f["buyer_logon_id"],
		AmountFen: total, RawCode: f["trade_status"]}
	switch f["trade_status"] {
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		st.State, st.PaidFen, st.PaidAt = payments.StatePaid, paid, parseTime(f["gmt_payment"])
	case "WAIT_BUYER_PAY":
		st.State = payments.StateScanned
	case "TRADE_CLOSED":
		st.State = payments.StateClosed
		if f["gmt_refund"] != "" || f["refund_fee"] != "" {
			st.State, st.PaidFen, st.PaidAt = payments.StateRefunded, paid, parseTime(f["gmt_payment"])
			if st.RefundedFen, err = parseOptionalYuan(f["refund_fee"]); err != nil {
				return payments.TradeStatus{}, fmt.Errorf("alipay notify: refund_fee: %v: %w", err, payments.ErrMalformed)
			}
		}
	default:
		return payments.TradeStatus{}, fmt.Errorf("alipay notify: trade_status %q: %w", f["trade_status"], payments.ErrMalformed)
	}
	return st, nil
}

// Acknowledge answers Alipay as it expects: HTTP 200, text/plain, body
// exactly "success" once the notification is verified and stored
// (err == nil), and exactly "fail" otherwise, so Alipay sends it again
// (4m, 10m, 10m, 1h, 2h, 6h, 15h).
func (p *Provider) Acknowledge(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if err != nil {
		_, _ = io.WriteString(w, "fail")
		return
	}
	_, _ = io.WriteString(w, "success")
}
