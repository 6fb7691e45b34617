package alipay

import (
	"fmt"
	"io"
	"net/http"

	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// ParseNotification verifies an Alipay notification (RSA2 over every
// field but sign and sign_type) and checks it names this app and seller.
// The out_trade_no and amount are returned as sent; matching them with the
// stored attempt is the till's job.
func (p *Provider) ParseNotification(r *http.Request) (payments.Notification, error) {
	if r.URL.RawQuery != "" {
		// gopay folds URL query parameters into the signed set; a
		// notify_url never has one, so a query here is someone else's.
		return payments.Notification{}, fmt.Errorf("alipay notify: unexpected query string: %w", payments.ErrMalformed)
	}
	bm, err := goali.ParseNotifyToBodyMap(r)
	if err != nil {
		return payments.Notification{}, fmt.Errorf("alipay notify: %v: %w", err, payments.ErrMalformed)
	}
	if bm.GetString("sign") == "" {
		return payments.Notification{}, fmt.Errorf("alipay notify: unsigned: %w", payments.ErrBadSignature)
	}
	if bm.GetString("sign_type") != "RSA2" {
		return payments.Notification{}, fmt.Errorf("alipay notify: sign_type %q: %w", bm.GetString("sign_type"), payments.ErrBadSignature)
	}
	fields := map[string]string{}
	for k := range bm {
		fields[k] = bm.GetString(k)
	}
	var ok bool
	if p.alipayCert != nil {
		ok, err = goali.VerifySignWithCert(p.alipayCert, bm)
	} else {
		ok, err = goali.VerifySign(p.publicKey, bm)
	}
	if err != nil || !ok {
		return payments.Notification{}, fmt.Errorf("alipay notify: %w", payments.ErrBadSignature)
	}
	if fields["app_id"] != p.cfg.AppID || fields["seller_id"] != p.cfg.SellerID {
		return payments.Notification{}, fmt.Errorf("alipay notify: app %q seller %q: %w", fields["app_id"], fields["seller_id"], payments.ErrWrongMerchant)
	}
	if fields["notify_id"] == "" || fields["out_trade_no"] == "" {
		return payments.Notification{}, fmt.Errorf("alipay notify: no notify_id or out_trade_no: %w", payments.ErrMalformed)
	}
	total, err := ParseYuan(fields["total_amount"])
	if err != nil {
		return payments.Notification{}, fmt.Errorf("alipay notify: total_amount: %v: %w", err, payments.ErrMalformed)
	}
	st := payments.TradeStatus{OutTradeNo: fields["out_trade_no"], ProviderTradeNo: fields["trade_no"],
		Buyer: fields["buyer_logon_id"], AmountFen: total, RawCode: fields["trade_status"]}
	switch fields["trade_status"] {
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		st.State = payments.StatePaid
		st.PaidFen, _ = ParseYuan(firstNonEmpty(fields["buyer_pay_amount"], fields["receipt_amount"], fields["total_amount"]))
		st.PaidAt = parseTime(fields["gmt_payment"])
	case "WAIT_BUYER_PAY":
		st.State = payments.StateScanned
	case "TRADE_CLOSED":
		st.State = payments.StateClosed
		if fields["gmt_refund"] != "" || fields["refund_fee"] != "" {
			st.State = payments.StateRefunded
		}
	default:
		return payments.Notification{}, fmt.Errorf("alipay notify: trade_status %q: %w", fields["trade_status"], payments.ErrMalformed)
	}
	return payments.Notification{Channel: payments.Alipay, ID: fields["notify_id"], ReceivedAt: p.clock(), Status: st}, nil
}

// Acknowledge answers Alipay: exactly "success" once the notification is
// stored, "fail" otherwise (Alipay then retries).
func (p *Provider) Acknowledge(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		_, _ = io.WriteString(w, "fail")
		return
	}
	_, _ = io.WriteString(w, "success")
}
