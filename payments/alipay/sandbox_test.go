package alipay_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxtest"
)

type rig struct {
	gw   *sandboxtest.Gateway
	srv  *httptest.Server
	info sandbox.Info
	p    *alipay.Provider
}

func newRig(t testing.TB) *rig {
	t.Helper()
	g := sandboxtest.Start(t)
	return &rig{gw: g, srv: g.Server, info: g.Info, p: provider(t, g.Info, g.Info.Alipay.AppPrivateKeyFile, g.Info.Alipay.GatewayURL)}
}

func provider(t testing.TB, info sandbox.Info, privateKeyFile, gateway string) *alipay.Provider {
	t.Helper()
	p, err := alipay.New(alipay.Config{AppID: info.Alipay.AppID, SellerID: info.Alipay.SellerID,
		AppPrivateKeyFile: privateKeyFile, AlipayPublicKeyFile: info.Alipay.AlipayPublicKeyFile, GatewayURL: gateway})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var ctx = context.Background()

func qr(t testing.TB, p *alipay.Provider, no string, fen int64, notify string) payments.QR {
	t.Helper()
	q, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: fen, Subject: "Water x5",
		ExpiresAt: time.Now().Add(5 * time.Minute), NotifyURL: notify})
	if err != nil {
		t.Fatalf("CreateQR: %v", err)
	}
	return q
}

func query(t *testing.T, p *alipay.Provider, no string) payments.TradeStatus {
	t.Helper()
	st, err := p.Query(ctx, no)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return st
}

func TestPrecreateLifecycle(t *testing.T) {
	r := newRig(t)
	q := qr(t, r.p, "A0000001P01", 1250, "")
	if q.Content != r.info.BaseURL+"/pay/A0000001P01" {
		t.Fatalf("QR %q", q.Content)
	}
	// Listed at the sandbox at once, but no trade at Alipay before the scan.
	if tr, err := r.gw.Ledger().Get("A0000001P01"); err != nil || tr.Status != sandbox.StatusCreated {
		t.Fatalf("ledger: %+v %v", tr, err)
	}
	if st := query(t, r.p, "A0000001P01"); st.State != payments.StateNotFound {
		t.Fatalf("before scan: %s", st.State)
	}
	r.gw.Ledger().Scan("A0000001P01")
	st := query(t, r.p, "A0000001P01")
	if st.State != payments.StateScanned || !strings.Contains(st.Buyer, "****") || len(st.ProviderTradeNo) != 28 {
		t.Fatalf("scanned: %+v", st)
	}
	r.gw.Ledger().Pay("A0000001P01")
	st = query(t, r.p, "A0000001P01")
	if st.State != payments.StatePaid || st.AmountFen != 1250 || st.PaidFen != 1250 || st.PaidAt.IsZero() {
		t.Fatalf("paid: %+v", st)
	}
	if st, err := r.p.Close(ctx, "A0000001P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close after pay: %+v %v (must never refund)", st, err)
	}
	if tr, _ := r.gw.Ledger().Get("A0000001P01"); tr.RefundedFen != 0 {
		t.Fatal("close refunded a paid trade")
	}
	// Refunds.
	refund := func(no string, fen int64) (payments.RefundResult, error) {
		return r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "A0000001P01", RefundNo: no, AmountFen: fen, TotalFen: 1250})
	}
	if res, err := refund("A0000001R01", 250); err != nil || res.State != payments.RefundSuccess {
		t.Fatalf("partial refund: %+v %v", res, err)
	}
	if _, err := refund("A0000001R01", 250); err != nil {
		t.Fatalf("repeat refund: %v", err)
	}
	if _, err := refund("A0000001R02", 1001); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("over refund: %v", err)
	}
	if tr, _ := r.gw.Ledger().Get("A0000001P01"); tr.RefundedFen != 250 {
		t.Fatalf("refunded %d, want 250", tr.RefundedFen)
	}
	if res, err := r.p.QueryRefund(ctx, "A0000001P01", "A0000001R01"); err != nil || res.AmountFen != 250 || res.State != payments.RefundSuccess {
		t.Fatalf("refund query: %+v %v", res, err)
	}
	if _, err := r.p.QueryRefund(ctx, "A0000001P01", "A0000001R09"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("missing refund query: %v", err)
	}
	if _, err := refund("A0000001R03", 1000); err != nil {
		t.Fatal(err)
	}
	if st := query(t, r.p, "A0000001P01"); st.State != payments.StateRefunded {
		t.Fatalf("after full refund: %s", st.State)
	}
}

func TestCloseBeforeAndAfterScan(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000002P01", 500, "")
	st, err := r.p.Close(ctx, "A0000002P01")
	if err != nil || st.State != payments.StateClosed {
		t.Fatalf("close before scan: %+v %v", st, err)
	}
	// The buyer can no longer pay that QR.
	if _, err := r.gw.Ledger().Pay("A0000002P01"); err == nil {
		t.Fatal("a closed precreate was paid")
	}
	qr(t, r.p, "A0000003P01", 500, "")
	r.gw.Ledger().Scan("A0000003P01")
	if st, err := r.p.Close(ctx, "A0000003P01"); err != nil || st.State != payments.StateClosed {
		t.Fatalf("close after scan: %+v %v", st, err)
	}
	if st := query(t, r.p, "A0000003P01"); st.State != payments.StateClosed {
		t.Fatalf("query after close: %s", st.State)
	}
	// The buyer pays just as the close lands.
	qr(t, r.p, "A0000004P01", 500, "")
	r.gw.Ledger().Scan("A0000004P01")
	r.gw.SetFaults(sandbox.Faults{PayBeforeClose: 1})
	if st, err := r.p.Close(ctx, "A0000004P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close racing payment: %+v %v", st, err)
	}
	// The same out_trade_no with another amount is refused.
	_, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000004P01", AmountFen: 1, Subject: "Water x5", ExpiresAt: time.Now().Add(time.Minute)})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.CONTEXT_INCONSISTENT") {
		t.Fatalf("conflicting precreate: %v", err)
	}
}

func TestCodePay(t *testing.T) {
	r := newRig(t)
	pay := func(no, code string) (payments.TradeStatus, error) {
		return r.p.PayByCode(ctx, payments.CodePayRequest{OutTradeNo: no, AuthCode: code, AmountFen: 300, Subject: "Tea"})
	}
	if st, err := pay("C0000001P01", "281234567890123456"); err != nil || st.State != payments.StatePaid || st.PaidFen != 300 {
		t.Fatalf("28…: %+v %v", st, err)
	}
	st, err := pay("C0000002P01", "251234567890123456")
	if err != nil || st.State != payments.StateScanned {
		t.Fatalf("25… (password): %+v %v", st, err)
	}
	r.gw.Ledger().Pay("C0000002P01")
	if st := query(t, r.p, "C0000002P01"); st.State != payments.StatePaid {
		t.Fatalf("after password: %s", st.State)
	}
	if err := r.p.Reverse(ctx, "C0000002P01"); err != nil {
		t.Fatalf("reverse paid: %v", err)
	}
	if tr, _ := r.gw.Ledger().Get("C0000002P01"); tr.Status != sandbox.StatusRefunded {
		t.Fatalf("reverse of a paid code payment: %s, want refunded", tr.Status)
	}
	if _, err := pay("C0000003P01", "291234567890123456"); !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.PAYMENT_AUTH_CODE_INVALID") {
		t.Fatalf("invalid code: %v", err)
	}
}

func TestForgedRequestRefused(t *testing.T) {
	r := newRig(t)
	other, err := sandbox.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	other.Save(dir)
	forger := provider(t, r.info, other.AlipayAppPrivateKeyFile, r.info.Alipay.GatewayURL)
	_, err = forger.CreateQR(ctx, payments.QRRequest{OutTradeNo: "F0000001P01", AmountFen: 100, Subject: "x", ExpiresAt: time.Now().Add(time.Minute)})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "isv.invalid-signature") {
		t.Fatalf("forged: %v", err)
	}
	if _, err := r.gw.Ledger().Get("F0000001P01"); err == nil {
		t.Fatal("sandbox stored a forged precreate")
	}
}

// flip changes one byte inside the response node on its way back.
type flip struct{ next http.RoundTripper }

func (f flip) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = bytes.Replace(body, []byte(`"WAIT_BUYER_PAY"`), []byte(`"TRADE_SUCCESS"`), 1)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func TestTamperedResponseDetected(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000005P01", 500, "")
	r.gw.Ledger().Scan("A0000005P01")
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		out, _ := http.NewRequest(req.Method, r.srv.URL+req.RequestURI, req.Body)
		out.Header = req.Header.Clone()
		resp, err := flip{http.DefaultTransport}.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	p := provider(t, r.info, r.info.Alipay.AppPrivateKeyFile, proxy.URL+"/gateway.do")
	if _, err := p.Query(ctx, "A0000005P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
}

func TestOutage(t *testing.T) {
	r := newRig(t)
	r.gw.SetFaults(sandbox.Faults{FailNext: 1})
	if _, err := r.p.Query(ctx, "A0000006P01"); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("503: %v", err)
	}
}

func TestLooseKeyRefused(t *testing.T) {
	r := newRig(t)
	os.Chmod(r.info.Alipay.AppPrivateKeyFile, 0o644)
	_, err := alipay.New(alipay.Config{AppID: r.info.Alipay.AppID, SellerID: r.info.Alipay.SellerID,
		AppPrivateKeyFile: r.info.Alipay.AppPrivateKeyFile, AlipayPublicKeyFile: r.info.Alipay.AlipayPublicKeyFile})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loose key: %v", err)
	}
}

// capture receives notifications and answers with the provider's own ack.
func capture(t *testing.T, p *alipay.Provider) (*httptest.Server, chan payments.Notification, chan error) {
	got, bad := make(chan payments.Notification, 8), make(chan error, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n, err := p.ParseNotification(req)
		if err != nil {
			bad <- err
		} else {
			got <- n
		}
		p.Acknowledge(w, err)
	}))
	t.Cleanup(srv.Close)
	return srv, got, bad
}

func TestNotifications(t *testing.T) {
	r := newRig(t)
	srv, got, bad := capture(t, r.p)
	qr(t, r.p, "A0000007P01", 1250, srv.URL+"/notify/alipay")
	r.gw.Ledger().Pay("A0000007P01")
	select {
	case n := <-got:
		if n.ID == "" || n.Status.OutTradeNo != "A0000007P01" || n.Status.State != payments.StatePaid || n.Status.AmountFen != 1250 {
			t.Fatalf("notification %+v", n)
		}
	case err := <-bad:
		t.Fatalf("valid notification refused: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	waitNotified(t, r.gw, "A0000007P01")

	// A broken signature is refused; the retry (correctly signed) passes.
	r.gw.SetFaults(sandbox.Faults{BadSignatureNotify: 1})
	qr(t, r.p, "A0000008P01", 500, srv.URL+"/notify/alipay")
	r.gw.Ledger().Pay("A0000008P01")
	if err := <-bad; !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("bad signature: %v", err)
	}
	if n := <-got; n.Status.OutTradeNo != "A0000008P01" {
		t.Fatalf("retry: %+v", n)
	}

	// A correctly signed wrong amount is returned as sent: the till rejects it.
	r.gw.SetFaults(sandbox.Faults{WrongAmountNotify: 1})
	qr(t, r.p, "A0000009P01", 500, srv.URL+"/notify/alipay")
	r.gw.Ledger().Pay("A0000009P01")
	if n := <-got; n.Status.AmountFen != 501 {
		t.Fatalf("wrong amount: %+v", n.Status)
	}
}

func waitNotified(t testing.TB, g *sandboxtest.Gateway, no string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if tr, _ := g.Ledger().Get(no); tr.Notified {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("sandbox never saw the acknowledgement")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNotificationForOtherMerchantRefused(t *testing.T) {
	r := newRig(t)
	srv, _, _ := capture(t, r.p)
	defer srv.Close()
	// A provider configured for another seller refuses the sandbox's notification.
	other, err := alipay.New(alipay.Config{AppID: r.info.Alipay.AppID, SellerID: "2088000000000001",
		AppPrivateKeyFile: r.info.Alipay.AppPrivateKeyFile, AlipayPublicKeyFile: r.info.Alipay.AlipayPublicKeyFile})
	if err != nil {
		t.Fatal(err)
	}
	body := notificationBody(t, r, "A0000010P01")
	req := httptest.NewRequest("POST", "/notify/alipay", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := other.ParseNotification(req); !errors.Is(err, payments.ErrWrongMerchant) {
		t.Fatalf("other seller: %v", err)
	}
	// Any edited field breaks the signature.
	edited := strings.Replace(body, "total_amount=5.00", "total_amount=0.01", 1)
	req = httptest.NewRequest("POST", "/notify/alipay", strings.NewReader(edited))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := r.p.ParseNotification(req); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("edited amount: %v", err)
	}
	rec := httptest.NewRecorder()
	r.p.Acknowledge(rec, nil)
	if rec.Body.String() != "success" {
		t.Fatalf("ack %q", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	r.p.Acknowledge(rec, errors.New("x"))
	if rec.Body.String() != "fail" {
		t.Fatalf("nack %q", rec.Body.String())
	}
}

// notificationBody returns a real signed notification body from the
// sandbox for a paid trade.
func notificationBody(t testing.TB, r *rig, no string) string {
	t.Helper()
	var mu sync.Mutex
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		mu.Lock()
		body = string(b)
		mu.Unlock()
		io.WriteString(w, "success")
	}))
	defer srv.Close()
	qr(t, r.p, no, 500, srv.URL)
	r.gw.Ledger().Pay(no)
	waitNotified(t, r.gw, no)
	mu.Lock()
	defer mu.Unlock()
	if _, err := url.ParseQuery(body); err != nil {
		t.Fatal(err)
	}
	return body
}

// BenchmarkPrecreateQuery measures precreate+query pairs through real
// gopay clients against the sandbox on loopback, parallel clients.
func BenchmarkPrecreateQuery(b *testing.B) {
	r := newRig(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			no := fmt.Sprintf("B%010dP01", n.Add(1))
			if _, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 100, Subject: "x", ExpiresAt: time.Now().Add(time.Minute)}); err != nil {
				b.Fatal(err)
			}
			if _, err := r.p.Query(ctx, no); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkVerifyNotification measures verifying a real signed notification.
func BenchmarkVerifyNotification(b *testing.B) {
	r := newRig(b)
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		body = string(raw)
		io.WriteString(w, "success")
	}))
	defer srv.Close()
	if _, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "V0000001P01", AmountFen: 500, Subject: "x", ExpiresAt: time.Now().Add(time.Minute), NotifyURL: srv.URL}); err != nil {
		b.Fatal(err)
	}
	r.gw.Ledger().Pay("V0000001P01")
	r.gw.Close() // waits for the delivery
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/notify/alipay", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := r.p.ParseNotification(req); err != nil {
			b.Fatal(err)
		}
	}
}
