package alipay_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/sandbox/sandboxtest"
)

var ctx = context.Background()

// rig is a sandbox on loopback and a real gopay-based provider for it.
type rig struct {
	gw   *sandboxtest.Gateway
	info sandbox.Info
	p    *alipay.Provider
}

func newRig(tb testing.TB) *rig {
	tb.Helper()
	g := sandboxtest.Start(tb)
	return &rig{gw: g, info: g.Info, p: newProvider(tb, config(g.Info))}
}

// config is the provider configuration sandbox.json describes.
func config(info sandbox.Info) alipay.Config {
	cfg, _ := sandboxclient.Configs(info)
	return cfg
}

func newProvider(tb testing.TB, cfg alipay.Config) *alipay.Provider {
	tb.Helper()
	p, err := alipay.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func qr(tb testing.TB, p *alipay.Provider, no string, fen int64, notify string) payments.QR {
	tb.Helper()
	q, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: fen, Subject: "Water x5",
		ExpiresAt: time.Now().Add(5 * time.Minute), NotifyURL: notify})
	if err != nil {
		tb.Fatalf("CreateQR %s: %v", no, err)
	}
	return q
}

func query(tb testing.TB, p *alipay.Provider, no string) payments.TradeStatus {
	tb.Helper()
	st, err := p.Query(ctx, no)
	if err != nil {
		tb.Fatalf("Query %s: %v", no, err)
	}
	return st
}

// control calls the sandbox's control API (scan, pay, cancel) and returns
// the HTTP status.
func (r *rig) control(tb testing.TB, no, step string) int {
	tb.Helper()
	resp, err := http.Post(r.info.BaseURL+"/sandbox/trades/"+no+"/"+step, "application/json", nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tr sandbox.Trade
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.OutTradeNo != no {
			tb.Fatalf("control %s %s: %+v %v", step, no, tr, err)
		}
	}
	return resp.StatusCode
}

func (r *rig) trade(tb testing.TB, no string) sandbox.Trade {
	tb.Helper()
	tr, err := r.gw.Ledger().Get(no)
	if err != nil {
		tb.Fatal(err)
	}
	return tr
}

// proxy is a gateway between the provider and the sandbox that rewrites
// answer bodies.
func (r *rig) proxy(tb testing.TB, rewrite func([]byte) []byte) string {
	tb.Helper()
	return r.proxyWith(tb, func(url.Values) {}, rewrite)
}

// proxyWith is proxy that also shows each request's form to before,
// ahead of forwarding it.
func (r *rig) proxyWith(tb testing.TB, before func(url.Values), rewrite func([]byte) []byte) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		in, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(in))
		before(form)
		out, _ := http.NewRequestWithContext(req.Context(), req.Method, r.gw.Server.URL+req.RequestURI, bytes.NewReader(in))
		out.Header = req.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(rewrite(body))
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/gateway.do"
}

// writeKey writes a fresh RSA private key as a PKCS#1 PEM file (mode 600).
func writeKey(tb testing.TB) string {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "other_app_private_key.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// receiver is a merchant notify endpoint: it parses with a provider,
// answers with the provider's Acknowledge and hands on what it saw.
type receiver struct {
	srv  *httptest.Server
	got  chan payments.Notification
	bad  chan error
	mu   sync.Mutex
	body []byte // the last raw body
}

func newReceiver(tb testing.TB, p *alipay.Provider) *receiver {
	rc := &receiver{got: make(chan payments.Notification, 16), bad: make(chan error, 16)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rc.mu.Lock()
		rc.body = body
		rc.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		n, err := p.ParseNotification(req)
		if err != nil {
			rc.bad <- err
		} else {
			rc.got <- n
		}
		p.Acknowledge(w, err)
	}))
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) url() string { return rc.srv.URL + "/notify/alipay" }

func (rc *receiver) next(tb testing.TB) (payments.Notification, error) {
	tb.Helper()
	select {
	case n := <-rc.got:
		return n, nil
	case err := <-rc.bad:
		return payments.Notification{}, err
	case <-time.After(10 * time.Second):
		tb.Fatal("no notification arrived")
	}
	return payments.Notification{}, nil
}

func (rc *receiver) lastBody() []byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.body
}

// waitNotified waits until the sandbox has an acknowledgement for a trade.
func waitNotified(tb testing.TB, g *sandboxtest.Gateway, no string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if tr, _ := g.Ledger().Get(no); tr.Notified {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the sandbox never saw the acknowledgement")
		}
		time.Sleep(time.Millisecond)
	}
}

// notificationBody is a real signed notification body from the sandbox,
// for a trade paid through the control API.
func notificationBody(tb testing.TB, r *rig, no string, fen int64) string {
	tb.Helper()
	rc := newReceiver(tb, r.p)
	qr(tb, r.p, no, fen, rc.url())
	if _, err := r.gw.Ledger().Pay(no); err != nil {
		tb.Fatal(err)
	}
	if _, err := rc.next(tb); err != nil {
		tb.Fatal(err)
	}
	waitNotified(tb, r.gw, no)
	return string(rc.lastBody())
}

func formRequest(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/notify/alipay", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
