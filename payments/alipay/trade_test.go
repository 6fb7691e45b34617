package alipay_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox"
)

func TestPrecreateScanPay(t *testing.T) {
	r := newRig(t)
	q := qr(t, r.p, "A0000001P01", 1250, "")
	if q.Content != r.info.BaseURL+"/pay/A0000001P01" || q.ExpiresAt.IsZero() {
		t.Fatalf("QR %+v", q)
	}
	// Listed at the sandbox at once, but Alipay has no trade before the scan.
	if tr := r.trade(t, "A0000001P01"); tr.Status != sandbox.StatusCreated || tr.AmountFen != 1250 {
		t.Fatalf("ledger: %+v", tr)
	}
	if st := query(t, r.p, "A0000001P01"); st.State != payments.StateNotFound || st.RawCode != "ACQ.TRADE_NOT_EXIST" {
		t.Fatalf("before scan: %+v", st)
	}
	if code := r.control(t, "A0000001P01", "scan"); code != http.StatusOK {
		t.Fatalf("control scan: %d", code)
	}
	st := query(t, r.p, "A0000001P01")
	if st.State != payments.StateScanned || !strings.Contains(st.Buyer, "****") || len(st.ProviderTradeNo) != 28 ||
		st.AmountFen != 1250 || st.PaidFen != 0 || st.RawCode != "WAIT_BUYER_PAY" {
		t.Fatalf("scanned: %+v", st)
	}
	if code := r.control(t, "A0000001P01", "pay"); code != http.StatusOK {
		t.Fatalf("control pay: %d", code)
	}
	paid := query(t, r.p, "A0000001P01")
	tr := r.trade(t, "A0000001P01")
	if paid.State != payments.StatePaid || paid.AmountFen != 1250 || paid.PaidFen != 1250 || paid.ProviderTradeNo != tr.TradeNo ||
		paid.Buyer != st.Buyer || paid.RawCode != "TRADE_SUCCESS" {
		t.Fatalf("paid: %+v", paid)
	}
	// send_pay_date is GMT+8 to the second.
	if d := paid.PaidAt.Sub(tr.PaidAt.Truncate(time.Second)); d != 0 {
		t.Fatalf("paid at %s, sandbox %s", paid.PaidAt, tr.PaidAt)
	}
	if _, off := paid.PaidAt.Zone(); off != 8*3600 {
		t.Fatalf("paid at %s not GMT+8", paid.PaidAt)
	}
}

func TestCreateQRRequest(t *testing.T) {
	r := newRig(t)
	// The till's deadline 90 s away: the QR's own timeout is rounded up to 2m.
	exp := time.Now().Add(90 * time.Second)
	q, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000011P01", AmountFen: 1, Subject: "Gum", ExpiresAt: exp})
	if err != nil || !q.ExpiresAt.Equal(exp) {
		t.Fatalf("CreateQR: %+v %v", q, err)
	}
	tr := r.trade(t, "A0000011P01")
	if d := tr.ExpiresAt.Sub(tr.CreatedAt).Round(time.Second); d != 2*time.Minute {
		t.Fatalf("qr_code_timeout_express gave the sandbox %s, want 2m", d)
	}
	// No expiry: the configured default, 5m.
	q, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000012P01", AmountFen: 10000000000, Subject: "Car"})
	if err != nil || q.ExpiresAt.IsZero() {
		t.Fatalf("CreateQR: %+v %v", q, err)
	}
	if tr := r.trade(t, "A0000012P01"); tr.ExpiresAt.Sub(tr.CreatedAt).Round(time.Second) != 5*time.Minute || tr.AmountFen != 10000000000 {
		t.Fatalf("default timeout: %+v", tr)
	}
	// Refused before any call: Alipay would refuse them too.
	for name, req := range map[string]payments.QRRequest{
		"zero amount":   {OutTradeNo: "A0000013P01", AmountFen: 0, Subject: "x"},
		"over limit":    {OutTradeNo: "A0000013P01", AmountFen: 10000000001, Subject: "x"},
		"bad number":    {OutTradeNo: "A-13", AmountFen: 1, Subject: "x"},
		"no subject":    {OutTradeNo: "A0000013P01", AmountFen: 1},
		"expiry passed": {OutTradeNo: "A0000013P01", AmountFen: 1, Subject: "x", ExpiresAt: time.Now().Add(-time.Second)},
	} {
		if _, err := r.p.CreateQR(ctx, req); !errors.Is(err, payments.ErrRejected) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := r.gw.Ledger().Get("A0000013P01"); err == nil {
		t.Fatal("a refused request reached the sandbox")
	}
	// The same out_trade_no again with another amount: ACQ.CONTEXT_INCONSISTENT.
	_, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000011P01", AmountFen: 2, Subject: "Gum"})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.CONTEXT_INCONSISTENT") {
		t.Fatalf("conflicting precreate: %v", err)
	}
	// The same request again issues the same QR.
	again, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000011P01", AmountFen: 1, Subject: "Gum"})
	if err != nil || again.Content != r.info.BaseURL+"/pay/A0000011P01" {
		t.Fatalf("repeat precreate: %+v %v", again, err)
	}
}

func TestCloseBeforeScan(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000002P01", 500, "")
	st, err := r.p.Close(ctx, "A0000002P01")
	if err != nil || st.State != payments.StateClosed || st.RawCode != "cancel:close" {
		t.Fatalf("close before scan: %+v %v", st, err)
	}
	// The precreate is closed: a later scan or payment of that QR fails.
	if code := r.control(t, "A0000002P01", "scan"); code != http.StatusConflict {
		t.Fatalf("scan of a closed precreate: HTTP %d, want 409", code)
	}
	if code := r.control(t, "A0000002P01", "pay"); code != http.StatusConflict {
		t.Fatalf("pay of a closed precreate: HTTP %d, want 409", code)
	}
	if tr := r.trade(t, "A0000002P01"); tr.Status != sandbox.StatusClosed || tr.RefundedFen != 0 {
		t.Fatalf("sandbox: %+v", tr)
	}
	// Closing again is still closed.
	if st, err := r.p.Close(ctx, "A0000002P01"); err != nil || st.State != payments.StateClosed {
		t.Fatalf("close again: %+v %v", st, err)
	}
	// A precreate that never reached Alipay: nothing can pay it.
	if st, err := r.p.Close(ctx, "A0000099P01"); err != nil || st.State != payments.StateClosed {
		t.Fatalf("close of an unknown trade: %+v %v", st, err)
	}
}

func TestCloseAfterScan(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000003P01", 500, "")
	r.control(t, "A0000003P01", "scan")
	st, err := r.p.Close(ctx, "A0000003P01")
	if err != nil || st.State != payments.StateClosed || st.ProviderTradeNo == "" {
		t.Fatalf("close after scan: %+v %v", st, err)
	}
	if st := query(t, r.p, "A0000003P01"); st.State != payments.StateClosed || st.RawCode != "TRADE_CLOSED" {
		t.Fatalf("query after close: %+v", st)
	}
	if code := r.control(t, "A0000003P01", "pay"); code != http.StatusConflict {
		t.Fatalf("pay of a closed trade: HTTP %d", code)
	}
}

func TestCloseAfterPayNeverRefunds(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000004P01", 500, "")
	r.control(t, "A0000004P01", "pay")
	st, err := r.p.Close(ctx, "A0000004P01")
	if err != nil || st.State != payments.StatePaid || st.PaidFen != 500 || st.ProviderTradeNo == "" {
		t.Fatalf("close after pay: %+v %v", st, err)
	}
	if tr := r.trade(t, "A0000004P01"); tr.Status != sandbox.StatusPaid || tr.RefundedFen != 0 {
		t.Fatalf("close touched a paid trade: %+v", tr)
	}
	// The buyer pays just as the close lands (scanned, then paid first).
	qr(t, r.p, "A0000005P01", 500, "")
	r.control(t, "A0000005P01", "scan")
	r.gw.SetFaults(sandbox.Faults{PayBeforeClose: 1})
	if st, err := r.p.Close(ctx, "A0000005P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close racing the payment: %+v %v", st, err)
	}
	// Same race before the scan: the close finds the trade paid.
	qr(t, r.p, "A0000006P01", 500, "")
	r.gw.SetFaults(sandbox.Faults{PayBeforeClose: 1})
	if st, err := r.p.Close(ctx, "A0000006P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close racing an unscanned payment: %+v %v", st, err)
	}
	for _, no := range []string{"A0000005P01", "A0000006P01"} {
		if tr := r.trade(t, no); tr.Status != sandbox.StatusPaid || tr.RefundedFen != 0 {
			t.Fatalf("%s: %+v", no, tr)
		}
	}
}

func TestCloseOfRefundedTrade(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000007P01", 500, "")
	r.control(t, "A0000007P01", "pay")
	if _, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "A0000007P01", RefundNo: "A0000007R01", AmountFen: 500}); err != nil {
		t.Fatal(err)
	}
	st, err := r.p.Close(ctx, "A0000007P01")
	if err != nil || st.State != payments.StateRefunded || st.RefundedFen != 500 || st.PaidFen != 500 {
		t.Fatalf("close of a refunded trade: %+v %v", st, err)
	}
}

func TestCloseRacingTheFirstScan(t *testing.T) {
	// Close finds no trade (nobody scanned), then the buyer scans and pays
	// before the cancel lands: the cancel refunds that payment, and Close
	// says so with the payment's details.
	r := newRig(t)
	qr(t, r.p, "A0000009P01", 500, "")
	cfg := config(r.info)
	cfg.GatewayURL = r.proxyWith(t, func(form url.Values) {
		if form.Get("method") == "alipay.trade.cancel" {
			if _, err := r.gw.Ledger().Pay("A0000009P01"); err != nil {
				t.Error(err)
			}
		}
	}, func(b []byte) []byte { return b })
	st, err := newProvider(t, cfg).Close(ctx, "A0000009P01")
	if err != nil || st.State != payments.StateRefunded || st.RawCode != "cancel:refund" || st.AmountFen != 500 ||
		st.PaidFen != 500 || st.RefundedFen != 500 || st.ProviderTradeNo == "" {
		t.Fatalf("close racing the first scan: %+v %v", st, err)
	}
	if tr := r.trade(t, "A0000009P01"); tr.Status != sandbox.StatusRefunded {
		t.Fatalf("sandbox: %+v", tr)
	}
	if r.p.Channel() != payments.Alipay {
		t.Fatal("channel")
	}
}
