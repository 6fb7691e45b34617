package wechat_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"context"

	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/wechat"
)

// The success and error paths sandbox_test.go leaves out, each through a
// real gopay client against the sandbox.

// wantAPIError checks err is a *wechat.APIError with the sentinel and code.
func wantAPIError(t testing.TB, err, sentinel error, code string) *wechat.APIError {
	t.Helper()
	var ae *wechat.APIError
	if !errors.Is(err, sentinel) || !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("err = %v, want %v with code %s", err, sentinel, code)
	}
	return ae
}

// proxied is a provider reaching the sandbox through a proxy that runs
// before on each request and after on each response.
func (r *rig) proxied(t testing.TB, before func(*http.Request), after func(*http.Response) error) *wechat.Provider {
	t.Helper()
	target, _ := url.Parse(r.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = after
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if before != nil {
			before(req)
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(px.Close)
	info := r.info
	info.WeChat.BaseURL = px.URL
	return provider(t, info, "")
}

func TestNativeScanAndRepeatsAgainstSandbox(t *testing.T) {
	r := newRig(t)
	const no = "ORDER000010P01"
	exp := time.Now().Add(5 * time.Minute).Truncate(time.Second)
	q, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 1250, Subject: "Water x5", ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	if !q.ExpiresAt.Equal(exp) {
		t.Fatalf("QR expires %v, want %v", q.ExpiresAt, exp)
	}
	if tr, _ := r.gw.Ledger().Get(no); !tr.ExpiresAt.Equal(exp) || tr.NotifyURL != "http://127.0.0.1:1/notify/wechat" {
		t.Fatalf("sandbox trade %+v does not carry time_expire / the configured notify URL", tr)
	}
	if _, err := r.gw.Ledger().Scan(no); err != nil {
		t.Fatal(err)
	}
	st := state(t, r.p, no)
	// As real WeChat, a scanned Native order is still NOTPAY.
	if st.State != payments.StateWaitingScan || st.RawCode != "NOTPAY" || st.AmountFen != 1250 {
		t.Fatalf("after scan: %+v", st)
	}
	if _, err := r.gw.Ledger().Pay(no); err != nil {
		t.Fatal(err)
	}
	_, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 1250, Subject: "Water x5", ExpiresAt: exp})
	wantAPIError(t, err, payments.ErrRejected, "ORDERPAID")
	// A time_expire already past is the gateway's refusal.
	_, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "ORDER000011P01", AmountFen: 1, Subject: "x", ExpiresAt: time.Now().Add(-time.Minute)})
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST")
}

func TestRequestsRefusedBeforeTheWire(t *testing.T) {
	r := newRig(t)
	good := payments.QRRequest{OutTradeNo: "ORDER000012P01", AmountFen: 1, Subject: "s", ExpiresAt: time.Now().Add(time.Minute)}
	for i, mut := range []func(q *payments.QRRequest){
		func(q *payments.QRRequest) { q.OutTradeNo = "ORD/../x" },
		func(q *payments.QRRequest) { q.OutTradeNo = strings.Repeat("1", 33) },
		func(q *payments.QRRequest) { q.AmountFen = 0 },
		func(q *payments.QRRequest) { q.Subject = "" },
		func(q *payments.QRRequest) { q.NotifyURL = "http://x/notify?till=1" },
	} {
		q := good
		mut(&q)
		if _, err := r.p.CreateQR(ctx, q); !errors.Is(err, payments.ErrRejected) {
			t.Errorf("case %d: %v, want ErrRejected", i, err)
		}
	}
	for _, rq := range []payments.RefundRequest{
		{OutTradeNo: "ORDER000012P01", RefundNo: "R5", AmountFen: 1001, TotalFen: 1000},
		{OutTradeNo: "ORDER000012P01", RefundNo: "R|5", AmountFen: 1, TotalFen: 1000},
	} {
		if _, err := r.p.Refund(ctx, rq); !errors.Is(err, payments.ErrRejected) {
			t.Errorf("refund %+v: %v", rq, err)
		}
	}
	if n := len(r.gw.Ledger().List()); n != 0 {
		t.Fatalf("refused requests reached the gateway: %d trades", n)
	}
}

func TestCloseEdgesAgainstSandbox(t *testing.T) {
	r := newRig(t)
	st, err := r.p.Close(ctx, "ORDER000013P01")
	if err != nil || st.State != payments.StateClosed || st.RawCode != "ORDER_NOT_EXIST" {
		t.Fatalf("close of an order WeChat never had: %+v %v", st, err)
	}
	qr(t, r.p, "ORDER000014P01", 100)
	for i := 0; i < 2; i++ {
		if st, err := r.p.Close(ctx, "ORDER000014P01"); err != nil || st.State != payments.StateClosed || st.RawCode != "CLOSED" {
			t.Fatalf("close #%d: %+v %v", i+1, st, err)
		}
	}
	_, err = r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "ORDER000014P01", AmountFen: 100, Subject: "Water x5",
		ExpiresAt: time.Now().Add(time.Minute), NotifyURL: "http://127.0.0.1:1/notify/wechat"})
	wantAPIError(t, err, payments.ErrRejected, "ORDER_CLOSED")
}

func TestRefundPathsAgainstSandbox(t *testing.T) {
	r := newRig(t)
	const no = "ORDER000015P01"
	qr(t, r.p, no, 1000)
	refund := func(rno string, fen, total int64) (payments.RefundResult, error) {
		return r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: rno, AmountFen: fen, TotalFen: total, Reason: "退货"})
	}
	_, err := refund("ORDER000015R00", 100, 1000)
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST") // not paid
	if _, err := r.gw.Ledger().Pay(no); err != nil {
		t.Fatal(err)
	}
	if res, err := refund("ORDER000015R01", 300, 1000); err != nil || res.State != payments.RefundSuccess || res.AmountFen != 300 {
		t.Fatalf("partial: %+v %v", res, err)
	}
	_, err = refund("ORDER000015R01", 301, 1000)
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST") // same number, other amount
	if st := state(t, r.p, no); st.State != payments.StateRefunded || st.RawCode != "REFUND" {
		t.Fatalf("trade after a partial refund: %+v", st)
	}
	_, err = refund("ORDER000015R02", 1, 999)
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST") // wrong total
	if res, err := refund("ORDER000015R03", 700, 1000); err != nil || res.AmountFen != 700 {
		t.Fatalf("the rest: %+v %v", res, err)
	}
	_, err = refund("ORDER000015R04", 1, 1000)
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST") // nothing left
	if tr, _ := r.gw.Ledger().Get(no); tr.RefundedFen != 1000 {
		t.Fatalf("ledger refunded %d, want 1000", tr.RefundedFen)
	}
	_, err = r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "ORDER000016P01", RefundNo: "X1", AmountFen: 1, TotalFen: 1})
	wantAPIError(t, err, payments.ErrNotFound, "RESOURCE_NOT_EXISTS")
	if _, err := r.p.QueryRefund(ctx, "ORDER000016P01", "ORDER000015R01"); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("a refund asked about under another trade: %v", err)
	}
}

func TestCodePayPathsAgainstSandbox(t *testing.T) {
	r := newRig(t)
	pay := func(no, code string) (payments.TradeStatus, error) {
		return r.p.PayByCode(ctx, payments.CodePayRequest{OutTradeNo: no, AuthCode: code, AmountFen: 700, Subject: "Tea"})
	}
	first, err := pay("CODE000010P01", "131234567890123456")
	if err != nil || first.PaidFen != 700 || first.ProviderTradeNo == "" {
		t.Fatalf("13…: %+v %v", first, err)
	}
	if again, err := pay("CODE000010P01", "131234567890123456"); err != nil || again.ProviderTradeNo != first.ProviderTradeNo {
		t.Fatalf("repeat must answer the same payment: %+v %v", again, err)
	}
	if st, err := pay("CODE000011P01", "141234567890123456"); err != nil || st.State != payments.StateScanned {
		t.Fatalf("14…: %+v %v", st, err)
	}
	if _, err := r.gw.Ledger().Pay("CODE000011P01"); err != nil {
		t.Fatal(err)
	}
	if st := state(t, r.p, "CODE000011P01"); st.State != payments.StatePaid || st.PaidFen != 700 {
		t.Fatalf("after the password: %+v", st)
	}
	_, err = pay("CODE000012P01", "111234567890123456")
	wantAPIError(t, err, payments.ErrRejected, "NOT_ENOUGH")
	if !errors.Is(err, payments.ErrBalanceLow) || errors.Is(err, payments.ErrCodeInvalid) {
		t.Errorf("NOT_ENOUGH is not told apart as a low balance: %v", err)
	}
	_, err = pay("CODE000013P01", "991234567890123456")
	wantAPIError(t, err, payments.ErrRejected, "AUTH_CODE_INVALID")
	if !errors.Is(err, payments.ErrCodeInvalid) || errors.Is(err, payments.ErrBalanceLow) {
		t.Errorf("AUTH_CODE_INVALID is not told apart as a refused code: %v", err)
	}

	// 12…: paid behind a 500 — the outcome is unknown until queried.
	_, err = pay("CODE000014P01", "121234567890123456")
	wantAPIError(t, err, payments.ErrUnavailable, "SYSTEM_ERROR")
	if st := state(t, r.p, "CODE000014P01"); st.State != payments.StatePaid {
		t.Fatalf("the lost reply hid a payment: %+v", st)
	}
	if err := r.p.Reverse(ctx, "CODE000014P01"); err != nil {
		t.Fatal(err)
	}
	if st := state(t, r.p, "CODE000014P01"); st.State != payments.StateRefunded {
		t.Fatalf("reversed paid code payment: %+v", st)
	}
	if err := r.p.Reverse(ctx, "CODE000014P01"); err != nil {
		t.Fatalf("reverse twice: %v", err)
	}
	wantAPIError(t, r.p.Reverse(ctx, "CODE000015P01"), payments.ErrNotFound, "ORDER_NOT_EXIST")
	qr(t, r.p, "ORDER000017P01", 100)
	wantAPIError(t, r.p.Reverse(ctx, "ORDER000017P01"), payments.ErrRejected, "INVALID_REQUEST")
}

func TestWrongSerialIsRefused(t *testing.T) {
	r := newRig(t)
	info := r.info
	info.WeChat.SerialNo = strings.Repeat("0", 40)
	p := provider(t, info, "")
	_, err := p.Query(ctx, "ORDER000018P01")
	if ae := wantAPIError(t, err, payments.ErrRejected, "SIGN_ERROR"); ae.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", ae.HTTPStatus)
	}
}

func TestMoreTamperingIsDetected(t *testing.T) {
	r := newRig(t)
	const no = "ORDER000019P01"
	qr(t, r.p, no, 1200)
	strip := r.proxied(t, nil, func(res *http.Response) error {
		res.Header.Del("Wechatpay-Signature")
		return nil
	})
	if _, err := strip.Query(ctx, no); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("stripped signature: %v", err)
	}
	// A serial naming an unknown platform certificate makes gopay fetch
	// /v3/certificates; the provider refuses to and refuses the answer.
	var fetches atomic.Int32
	swap := r.proxied(t, func(req *http.Request) {
		if strings.Contains(req.URL.Path, "/v3/certificates") {
			fetches.Add(1)
		}
	}, func(res *http.Response) error {
		res.Header.Set("Wechatpay-Serial", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
		return nil
	})
	if _, err := swap.Query(ctx, no); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("unknown serial: %v", err)
	}
	if fetches.Load() != 0 {
		t.Fatalf("provider fetched platform certificates %d times", fetches.Load())
	}
	// A signed 204 (close) tampered with.
	nonce := r.proxied(t, nil, func(res *http.Response) error {
		if res.StatusCode == http.StatusNoContent {
			res.Header.Set("Wechatpay-Nonce", "tampered")
		}
		return nil
	})
	if _, err := nonce.Close(ctx, no); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered 204: %v", err)
	}
	// A body that is no longer JSON.
	garbled := r.proxied(t, nil, func(res *http.Response) error {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		b = append([]byte("<html>"), b...)
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	})
	if _, err := garbled.Query(ctx, no); !errors.Is(err, payments.ErrMalformed) {
		t.Fatalf("garbled body: %v", err)
	}
}

func TestUnavailablePaths(t *testing.T) {
	r := newRig(t)
	// 429 and 500 from something in front of the gateway.
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError} {
		p := r.proxied(t, nil, func(res *http.Response) error {
			body := []byte(`{"code":"FREQUENCY_LIMITED","message":"slow down"}`)
			res.StatusCode = status
			res.Body = io.NopCloser(bytes.NewReader(body))
			res.ContentLength = int64(len(body))
			res.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		})
		if _, err := p.Query(ctx, "ORDER000020P01"); !errors.Is(err, payments.ErrUnavailable) {
			t.Fatalf("HTTP %d: %v", status, err)
		}
	}
	// Nobody listening.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	info := r.info
	info.WeChat.BaseURL = dead.URL
	if _, err := provider(t, info, "").Query(ctx, "ORDER000020P01"); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("connection refused: %v", err)
	}
	// The gateway hangs: the caller's deadline ends the call.
	r.gw.SetFaults(sandbox.Faults{TimeoutNext: 1})
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := r.p.Query(cctx, "ORDER000020P01")
	if !errors.Is(err, payments.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %v", err)
	}
}

func TestEveryLooseKeyFileRefused(t *testing.T) {
	r := newRig(t)
	for _, field := range []string{"PrivateKeyFile", "PublicKeyFile", "APIv3KeyFile"} {
		t.Run(field, func(t *testing.T) {
			_, cfg := sandboxclient.Configs(r.info)
			src := map[string]*string{"PrivateKeyFile": &cfg.PrivateKeyFile, "PublicKeyFile": &cfg.PublicKeyFile, "APIv3KeyFile": &cfg.APIv3KeyFile}[field]
			data, err := os.ReadFile(*src)
			if err != nil {
				t.Fatal(err)
			}
			loose := filepath.Join(t.TempDir(), "loose")
			if err := os.WriteFile(loose, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(loose, 0o644); err != nil {
				t.Fatal(err)
			}
			*src = loose
			if _, err := wechat.New(cfg); err == nil || !strings.Contains(err.Error(), field) || !strings.Contains(err.Error(), "chmod 600") {
				t.Fatalf("loose %s: %v", field, err)
			}
			if err := os.Chmod(loose, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := wechat.New(cfg); err != nil {
				t.Fatalf("after chmod 600: %v", err)
			}
		})
	}
}

// The sandbox's notification code (its own AES-GCM and signing) must be
// what the provider, on gopay, accepts — and its faults what it refuses.
func TestSandboxNotificationFaults(t *testing.T) {
	r := newRig(t)
	const no = "ORDER000021P01"
	qr(t, r.p, no, 1880)
	tr, err := r.gw.Ledger().Pay(no)
	if err != nil {
		t.Fatal(err)
	}
	w := sandbox.NewWeChatWire(r.gw.Gateway)
	parse := func(d sandbox.Delivery) (payments.Notification, error) {
		req := httptest.NewRequest(http.MethodPost, "/notify/wechat", bytes.NewReader(d.Body))
		for k, v := range d.Header {
			req.Header[k] = v
		}
		return r.p.ParseNotification(req)
	}
	d1, err := w.Notification(tr, sandbox.NotifyFault{})
	if err != nil {
		t.Fatal(err)
	}
	n1, err := parse(d1)
	if err != nil || n1.ID != d1.NotifyID || n1.Status.PaidFen != 1880 || n1.Status.ProviderTradeNo != tr.TradeNo {
		t.Fatalf("first delivery: %+v %v", n1, err)
	}
	d2, _ := w.Notification(tr, sandbox.NotifyFault{})
	if n2, err := parse(d2); err != nil || n2.ID != n1.ID || bytes.Equal(d1.Body, d2.Body) {
		t.Fatalf("a retry is a fresh delivery of the same event: %v, %q vs %q", err, n2.ID, n1.ID)
	}
	bad, _ := w.Notification(tr, sandbox.NotifyFault{BadSignature: true})
	if _, err := parse(bad); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("bad signature fault: %v", err)
	}
	claim, _ := w.Notification(tr, sandbox.NotifyFault{AmountFen: 1881})
	if n, err := parse(claim); err != nil || n.Status.AmountFen != 1881 {
		t.Fatalf("wrong-amount fault must verify and claim 1881: %+v %v", n.Status, err)
	}
}
