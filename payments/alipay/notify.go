package alipay

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// ParseNotification verifies an Alipay notification (a POSTed form, RSA2
// over every field but sign and sign_type, PROTOCOLS A11) with
// ParseNotifyToBodyMap and VerifySign (or VerifySignWithCert, following
// a certificate rotation: see verifyNotification), then checks it names
// this app_id and seller_id (else ErrWrongMerchant). The Notification's
// ID is notify_id; its Status carries out_trade_no, trade_no, the masked
// buyer, total_amount as AmountFen, what the buyer paid
// (buyer_pay_amount, else receipt_amount) as PaidFen, gmt_payment, and
// refund_fee as RefundedFen. A notification about a refund (refund_fee,
// gmt_refund, out_biz_no: Alipay sends one when a refund of the trade is
// done, also one made outside the till) has its Refund part set. Matching
// out_trade_no and the amounts with the stored attempt is the till's
// job: they are returned exactly as signed.
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
	if !p.verifyNotification(r.Context(), bm) {
		return payments.Notification{}, fmt.Errorf("alipay notify: %w", payments.ErrBadSignature)
	}
	if f["app_id"] != p.cfg.AppID || f["seller_id"] != p.cfg.SellerID {
		return payments.Notification{}, fmt.Errorf("alipay notify: app_id %q seller_id %q: %w", f["app_id"], f["seller_id"], payments.ErrWrongMerchant)
	}
	st, err := notifyStatus(f)
	if err != nil {
		return payments.Notification{}, err
	}
	refund, err := notifyRefund(f)
	if err != nil {
		return payments.Notification{}, err
	}
	return payments.Notification{Channel: payments.Alipay, ID: f["notify_id"], ReceivedAt: p.clock(), Status: st, Refund: refund}, nil
}

// notifyProbe is the out_trade_no a failing notification makes the
// provider query, only to learn which certificate Alipay signs with now.
const notifyProbe = "qrtill_cert_probe"

// verifyNotification checks a notification's signature: with Alipay's
// public key, or in certificate mode with the current certificate or one
// it replaced. A certificate-mode notification that verifies with none
// may be signed with a certificate Alipay rotated to before any answer
// told the provider: then (at most once per rotationRetry) a query is
// sent, whose answer names the current certificate and so fetches it, and
// the notification is checked again.
func (p *Provider) verifyNotification(ctx context.Context, bm gopay.BodyMap) bool {
	if !p.cfg.certMode() {
		ok, err := goali.VerifySign(p.keys.publicB64, copyMap(bm))
		return err == nil && ok
	}
	if p.verifyWithCerts(bm) {
		return true
	}
	p.rotateMu.Lock()
	due := p.probedAt.IsZero() || p.clock().Sub(p.probedAt) >= rotationRetry
	if due {
		p.probedAt = p.clock()
	}
	p.rotateMu.Unlock()
	if !due {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.HTTPTimeout)
	defer cancel()
	_, _ = p.Query(ctx, notifyProbe)
	return p.verifyWithCerts(bm)
}

// verifyWithCerts tries each certificate the current signer accepts.
func (p *Provider) verifyWithCerts(bm gopay.BodyMap) bool {
	for _, cert := range p.signer.Load().certs {
		if ok, err := goali.VerifySignWithCert(cert, copyMap(bm)); err == nil && ok {
			return true
		}
	}
	return false
}

// copyMap copies a BodyMap: gopay's verification removes sign and
// sign_type from the one it is given.
func copyMap(bm gopay.BodyMap) gopay.BodyMap {
	c := make(gopay.BodyMap, len(bm))
	for k, v := range bm {
		c[k] = v
	}
	return c
}

// notifyRefund reads the refund part of a verified notification: Alipay
// sends a trade notification with refund_fee (the total refunded so far),
// gmt_refund and out_biz_no (the refund's out_request_no) when a refund
// of the trade is done, whoever made it. nil for a payment notification.
func notifyRefund(f map[string]string) (*payments.RefundNotice, error) {
	if f["refund_fee"] == "" && f["gmt_refund"] == "" && f["out_biz_no"] == "" {
		return nil, nil
	}
	refunded, err := parseOptionalYuan(f["refund_fee"])
	if err != nil {
		return nil, fmt.Errorf("alipay notify: refund_fee: %v: %w", err, payments.ErrMalformed)
	}
	return &payments.RefundNotice{RefundNo: f["out_biz_no"], State: payments.RefundSuccess, RefundedFen: refunded, At: parseTime(f["gmt_refund"])}, nil
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
		if st.RefundedFen, err = parseOptionalYuan(f["refund_fee"]); err != nil {
			return payments.TradeStatus{}, fmt.Errorf("alipay notify: refund_fee: %v: %w", err, payments.ErrMalformed)
		}
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
