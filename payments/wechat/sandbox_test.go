package wechat_test

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
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/sandbox/sandboxtest"
	"qrtill/payments/wechat"
)

// rig is the sandbox gateway on loopback and a real gopay-based provider
// configured from its sandbox.json.
type rig struct {
	gw   *sandboxtest.Gateway
	srv  *httptest.Server
	info sandbox.Info
	p    *wechat.Provider
}

func newRig(t testing.TB) *rig {
	t.Helper()
	g := sandboxtest.Start(t)
	return &rig{gw: g, srv: g.Server, info: g.Info, p: provider(t, g.Info, "")}
}

func provider(t testing.TB, info sandbox.Info, privateKeyFile string) *wechat.Provider {
	t.Helper()
	if privateKeyFile == "" {
		privateKeyFile = info.WeChat.PrivateKeyFile
	}
	_, cfg := sandboxclient.Configs(info)
	cfg.PrivateKeyFile, cfg.NotifyURL = privateKeyFile, "http://127.0.0.1:1/notify/wechat"
	p, err := wechat.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var ctx = context.Background()

func qr(t *testing.T, p *wechat.Provider, no string, fen int64) payments.QR {
	t.Helper()
	q, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: fen, Subject: "Water x5",
		ExpiresAt: time.Now().Add(5 * time.Minute), NotifyURL: "http://127.0.0.1:1/notify/wechat"})
	if err != nil {
		t.Fatalf("CreateQR: %v", err)
	}
	return q
}

func state(t *testing.T, p *wechat.Provider, no string) payments.TradeStatus {
	t.Helper()
	st, err := p.Query(ctx, no)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return st
}

func TestNativeLifecycleAgainstSandbox(t *testing.T) {
	r := newRig(t)
	q := qr(t, r.p, "ORDER000001P01", 1250)
	if q.Content != r.info.BaseURL+"/pay/ORDER000001P01" {
		t.Fatalf("QR content %q", q.Content)
	}
	if st := state(t, r.p, "ORDER000001P01"); st.State != payments.StateWaitingScan {
		t.Fatalf("after native: %s", st.State)
	}
	// The same order again is the same QR; another amount is refused.
	if again := qr(t, r.p, "ORDER000001P01", 1250); again.Content != q.Content {
		t.Fatalf("repeat: %q", again.Content)
	}
	_, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "ORDER000001P01", AmountFen: 999, Subject: "Water x5",
		ExpiresAt: time.Now().Add(5 * time.Minute), NotifyURL: "http://127.0.0.1:1/notify/wechat"})
	if !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("conflicting amount: %v", err)
	}
	if _, err := r.gw.Ledger().Pay("ORDER000001P01"); err != nil {
		t.Fatal(err)
	}
	st := state(t, r.p, "ORDER000001P01")
	if st.State != payments.StatePaid || st.PaidFen != 1250 || st.AmountFen != 1250 || len(st.ProviderTradeNo) != 28 || st.PaidAt.IsZero() {
		t.Fatalf("paid: %+v", st)
	}
	// Close after pay answers paid, never refunds.
	if st, err := r.p.Close(ctx, "ORDER000001P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close paid: %+v %v", st, err)
	}
	// Refunds: partial, repeat, over, full, query.
	ref, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "ORDER000001P01", RefundNo: "ORDER000001R01", AmountFen: 250, TotalFen: 1250})
	if err != nil || ref.State != payments.RefundSuccess || ref.AmountFen != 250 {
		t.Fatalf("refund: %+v %v", ref, err)
	}
	if _, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "ORDER000001P01", RefundNo: "ORDER000001R01", AmountFen: 250, TotalFen: 1250}); err != nil {
		t.Fatalf("repeat refund: %v", err)
	}
	if _, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "ORDER000001P01", RefundNo: "ORDER000001R02", AmountFen: 1001, TotalFen: 1250}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("over refund: %v", err)
	}
	if tr, _ := r.gw.Ledger().Get("ORDER000001P01"); tr.RefundedFen != 250 {
		t.Fatalf("refunded %d, want 250 (the repeat must not refund again)", tr.RefundedFen)
	}
	if got, err := r.p.QueryRefund(ctx, "ORDER000001P01", "ORDER000001R01"); err != nil || got.State != payments.RefundSuccess {
		t.Fatalf("refund query: %+v %v", got, err)
	}
	if _, err := r.p.QueryRefund(ctx, "ORDER000001P01", "NOPE000001"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("unknown refund query: %v", err)
	}
}

func TestCloseBeforePayAgainstSandbox(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "ORDER000002P01", 500)
	st, err := r.p.Close(ctx, "ORDER000002P01")
	if err != nil || st.State != payments.StateClosed {
		t.Fatalf("close: %+v %v", st, err)
	}
	if _, err := r.gw.Ledger().Pay("ORDER000002P01"); err == nil {
		t.Fatal("a closed order was paid")
	}
	if st := state(t, r.p, "ORDER000002P01"); st.State != payments.StateClosed {
		t.Fatalf("query after close: %s", st.State)
	}
	if st := state(t, r.p, "NEVERMADE01"); st.State != payments.StateNotFound {
		t.Fatalf("unknown order: %s", st.State)
	}
	// A buyer paying just as the close lands: close answers paid.
	qr(t, r.p, "ORDER000003P01", 500)
	r.gw.SetFaults(sandbox.Faults{PayBeforeClose: 1})
	if st, err := r.p.Close(ctx, "ORDER000003P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close racing a payment: %+v %v", st, err)
	}
}

func TestCodePayAgainstSandbox(t *testing.T) {
	r := newRig(t)
	pay := func(no, code string) (payments.TradeStatus, error) {
		return r.p.PayByCode(ctx, payments.CodePayRequest{OutTradeNo: no, AuthCode: code, AmountFen: 300, Subject: "Tea"})
	}
	if st, err := pay("CODE000001P01", "134567890123456789"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("code 13…: %+v %v", st, err)
	}
	st, err := pay("CODE000002P01", "144567890123456789")
	if err != nil || st.State != payments.StateScanned {
		t.Fatalf("code 14… (password): %+v %v", st, err)
	}
	if err := r.p.Reverse(ctx, "CODE000002P01"); err != nil {
		t.Fatalf("reverse: %v", err)
	}
	if st := state(t, r.p, "CODE000002P01"); st.State != payments.StateClosed {
		t.Fatalf("after reverse: %s", st.State)
	}
	if _, err := pay("CODE000003P01", "104567890123456789"); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("invalid code: %v", err)
	}
}

func TestForgedRequestIsRefused(t *testing.T) {
	r := newRig(t)
	other, err := sandbox.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := other.Save(dir); err != nil {
		t.Fatal(err)
	}
	forger := provider(t, r.info, other.WeChatPrivateKeyFile)
	_, err = forger.CreateQR(ctx, payments.QRRequest{OutTradeNo: "FORGED0001", AmountFen: 100, Subject: "x",
		ExpiresAt: time.Now().Add(time.Minute), NotifyURL: "http://127.0.0.1:1/n"})
	if err == nil || !strings.Contains(err.Error(), "SIGN_ERROR") {
		t.Fatalf("forged request: %v", err)
	}
	if _, err := r.gw.Ledger().Get("FORGED0001"); err == nil {
		t.Fatal("the sandbox stored a forged order")
	}
}

// tamper flips one byte of every 2xx response body on its way back.
type tamper struct{ next http.RoundTripper }

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != 200 {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = bytes.Replace(body, []byte("NOTPAY"), []byte("SUCCES"), 1)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func TestTamperedResponseIsDetected(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "ORDER000004P01", 500)
	proxy := httptest.NewServer(&httputilProxy{target: r.srv.URL, rt: tamper{http.DefaultTransport}})
	defer proxy.Close()
	info := r.info
	info.WeChat.BaseURL = proxy.URL
	p := provider(t, info, "")
	if _, err := p.Query(ctx, "ORDER000004P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered response: %v", err)
	}
}

// httputilProxy forwards requests unchanged to target through rt.
type httputilProxy struct {
	target string
	rt     http.RoundTripper
}

func (h *httputilProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse(h.target + r.RequestURI)
	out, _ := http.NewRequest(r.Method, u.String(), r.Body)
	out.Header = r.Header.Clone()
	resp, err := h.rt.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func TestOutageIsUnavailable(t *testing.T) {
	r := newRig(t)
	r.gw.SetFaults(sandbox.Faults{FailNext: 1})
	_, err := r.p.Query(ctx, "ORDER000005P01")
	if !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("5xx: %v", err)
	}
}

func TestNotificationFromSandbox(t *testing.T) {
	r := newRig(t)
	got := make(chan *http.Request, 4)
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		clone := req.Clone(context.Background())
		clone.Body = io.NopCloser(bytes.NewReader(body))
		got <- clone
		w.WriteHeader(http.StatusNoContent)
	}))
	defer notify.Close()
	_, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "ORDER000006P01", AmountFen: 1250, Subject: "x",
		ExpiresAt: time.Now().Add(time.Minute), NotifyURL: notify.URL + "/notify/wechat"})
	if err != nil {
		t.Fatal(err)
	}
	r.gw.Ledger().Pay("ORDER000006P01")
	select {
	case req := <-got:
		n, err := r.p.ParseNotification(req)
		if err != nil {
			t.Fatalf("ParseNotification: %v", err)
		}
		if n.Channel != payments.WeChat || n.ID == "" || n.Status.OutTradeNo != "ORDER000006P01" || n.Status.State != payments.StatePaid || n.Status.AmountFen != 1250 {
			t.Fatalf("notification %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
}

func TestLooseKeyFileRefused(t *testing.T) {
	r := newRig(t)
	if err := os.Chmod(r.info.WeChat.PrivateKeyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	_, cfg := sandboxclient.Configs(r.info)
	_, err := wechat.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loose key: %v", err)
	}
}

// BenchmarkNativeQuery measures native+query pairs through real gopay
// clients against the sandbox on loopback, with parallel clients as a
// till server with several terminals would send them.
func BenchmarkNativeQuery(b *testing.B) {
	r := newRig(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			no := fmt.Sprintf("BENCH%08d", n.Add(1))
			if _, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 100, Subject: "x",
				ExpiresAt: time.Now().Add(time.Minute), NotifyURL: "http://127.0.0.1:1/n"}); err != nil {
				b.Fatal(err)
			}
			if _, err := r.p.Query(ctx, no); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
