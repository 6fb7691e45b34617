package alipay_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox"
)

func TestNotificationDelivered(t *testing.T) {
	r := newRig(t)
	rc := newReceiver(t, r.p)
	qr(t, r.p, "N0000001P01", 1250, rc.url())
	r.control(t, "N0000001P01", "pay")
	n, err := rc.next(t)
	if err != nil {
		t.Fatalf("valid notification refused: %v", err)
	}
	tr := r.trade(t, "N0000001P01")
	st := n.Status
	if n.Channel != payments.Alipay || len(n.ID) != 32 || n.ReceivedAt.IsZero() || st.OutTradeNo != "N0000001P01" ||
		st.State != payments.StatePaid || st.AmountFen != 1250 || st.PaidFen != 1250 || st.ProviderTradeNo != tr.TradeNo ||
		st.Buyer != tr.BuyerLogon || !st.PaidAt.Equal(tr.PaidAt.Truncate(time.Second)) || st.RawCode != "TRADE_SUCCESS" {
		t.Fatalf("notification %+v, trade %+v", n, tr)
	}
	waitNotified(t, r.gw, "N0000001P01") // the sandbox took "success" as the acknowledgement
}

func TestNotificationFaults(t *testing.T) {
	r := newRig(t)
	rc := newReceiver(t, r.p)
	// The first delivery's signature is broken: refused with "fail", and
	// the retry, correctly signed and with the same notify_id, passes.
	r.gw.SetFaults(sandbox.Faults{BadSignatureNotify: 1})
	qr(t, r.p, "N0000002P01", 500, rc.url())
	r.control(t, "N0000002P01", "pay")
	if _, err := rc.next(t); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("broken signature: %v", err)
	}
	first, _ := url.ParseQuery(string(rc.lastBody()))
	n, err := rc.next(t)
	if err != nil || n.Status.OutTradeNo != "N0000002P01" || n.ID != first.Get("notify_id") {
		t.Fatalf("retry: %+v %v (first notify_id %s)", n, err, first.Get("notify_id"))
	}
	waitNotified(t, r.gw, "N0000002P01")
	if tr := r.trade(t, "N0000002P01"); tr.NotifyAttempts != 2 {
		t.Fatalf("%d attempts, want 2", tr.NotifyAttempts)
	}
	// A correctly signed wrong amount is returned as signed: the till
	// compares it with the attempt and refuses it.
	r.gw.SetFaults(sandbox.Faults{WrongAmountNotify: 1})
	qr(t, r.p, "N0000003P01", 500, rc.url())
	r.control(t, "N0000003P01", "pay")
	if n, err := rc.next(t); err != nil || n.Status.AmountFen != 501 || n.Status.PaidFen != 501 {
		t.Fatalf("wrong amount: %+v %v", n.Status, err)
	}
}

// signed is a notification form, signed here independently of the sandbox
// and of gopay: RSA2 over every non-empty field but sign and sign_type.
func signed(t *testing.T, key *rsa.PrivateKey, form url.Values) string {
	t.Helper()
	form.Del("sign")
	var keys []string
	for k := range form {
		if k != "sign_type" && form.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+form.Get(k))
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "&")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	form.Set("sign", base64.StdEncoding.EncodeToString(sig))
	return form.Encode()
}

func TestNotificationChecks(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "N0000004P01", 500, "")
	tr, err := r.gw.Ledger().Pay("N0000004P01")
	if err != nil {
		t.Fatal(err)
	}
	wire := sandbox.NewAlipayWire(r.gw.Gateway)
	d, err := wire.Notification(tr, sandbox.NotifyFault{})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := wire.Notification(tr, sandbox.NotifyFault{})
	if again.NotifyID != d.NotifyID {
		t.Fatalf("notify_id changed between deliveries: %s, %s", d.NotifyID, again.NotifyID)
	}
	n, err := r.p.ParseNotification(formRequest(string(d.Body)))
	if err != nil || n.ID != d.NotifyID || n.Status.AmountFen != 500 {
		t.Fatalf("valid: %+v %v", n, err)
	}
	platform := r.gw.Keys().AlipayPlatformKey
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(k, v string) url.Values {
		f, _ := url.ParseQuery(string(d.Body))
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	cases := []struct {
		name string
		req  *http.Request
		want error
	}{
		{"edited amount", formRequest(strings.Replace(string(d.Body), "total_amount=5.00", "total_amount=0.01", 1)), payments.ErrBadSignature},
		{"another key", formRequest(signed(t, other, edit("total_amount", "0.01"))), payments.ErrBadSignature},
		{"unsigned", formRequest(edit("sign", "").Encode()), payments.ErrBadSignature},
		{"sign_type RSA", formRequest(edit("sign_type", "RSA").Encode()), payments.ErrBadSignature},
		{"wrong app_id", formRequest(signed(t, platform, edit("app_id", "2021000000000001"))), payments.ErrWrongMerchant},
		{"wrong seller_id", formRequest(signed(t, platform, edit("seller_id", "2088000000000001"))), payments.ErrWrongMerchant},
		{"unknown trade_status", formRequest(signed(t, platform, edit("trade_status", "TRADE_PENDING"))), payments.ErrMalformed},
		{"negative amount", formRequest(signed(t, platform, edit("total_amount", "-5.00"))), payments.ErrMalformed},
		{"float amount", formRequest(signed(t, platform, edit("total_amount", "5e2"))), payments.ErrMalformed},
		{"no notify_id", formRequest(signed(t, platform, edit("notify_id", ""))), payments.ErrMalformed},
		{"repeated field", formRequest(string(d.Body) + "&total_amount=5.00"), payments.ErrMalformed},
		{"query string", httptest.NewRequest(http.MethodPost, "/notify/alipay?app_id=x", strings.NewReader(string(d.Body))), payments.ErrMalformed},
		{"GET", httptest.NewRequest(http.MethodGet, "/notify/alipay", nil), payments.ErrMalformed},
	}
	for _, c := range cases {
		if c.req.Header.Get("Content-Type") == "" {
			c.req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if _, err := r.p.ParseNotification(c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Refunds notified by Alipay (TRADE_CLOSED with refund_fee) read as refunded.
	closed := edit("trade_status", "TRADE_CLOSED")
	closed.Set("refund_fee", "5.00")
	closed.Set("gmt_refund", "2026-11-22 10:00:00")
	if n, err := r.p.ParseNotification(formRequest(signed(t, platform, closed))); err != nil || n.Status.State != payments.StateRefunded || n.Status.RefundedFen != 500 {
		t.Fatalf("refund notification: %+v %v", n, err)
	}
	// A provider for another seller refuses the sandbox's genuine notification.
	cfg := config(r.info)
	cfg.SellerID = "2088000000000001"
	if _, err := newProvider(t, cfg).ParseNotification(formRequest(string(d.Body))); !errors.Is(err, payments.ErrWrongMerchant) {
		t.Fatalf("other seller: %v", err)
	}
}

func TestAcknowledge(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		err  error
		body string
	}{{nil, "success"}, {payments.ErrBadSignature, "fail"}, {errors.New("store down"), "fail"}} {
		rec := httptest.NewRecorder()
		r.p.Acknowledge(rec, c.err)
		if rec.Code != http.StatusOK || rec.Body.String() != c.body || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("Acknowledge(%v): %d %q %q", c.err, rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
		}
	}
}
