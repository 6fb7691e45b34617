package relay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/relay"
	"qrtill/payments/sandbox"
	"qrtill/pos"
	"qrtill/tui/tilltest"
)

var tokens = map[string]string{"shop-1": relay.HashToken("tok-1"), "shop-2": relay.HashToken("tok-2")}

func openRelay(t *testing.T, dir string) (*relay.Server, *httptest.Server) {
	t.Helper()
	s, err := relay.Open(dir, tokens, relay.Options{Heartbeat: 50 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return s, srv
}

func post(t *testing.T, url, body string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// collector is a till that records what it was handed.
type collector struct {
	mu     sync.Mutex
	ids    []uint64
	bodies []string
	fail   int // transient failures to give first
}

func (c *collector) handle(_ context.Context, d relay.Delivered) error {
	body, _ := io.ReadAll(d.Request.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail > 0 {
		c.fail--
		return errors.New("disk busy")
	}
	c.ids = append(c.ids, d.ID)
	c.bodies = append(c.bodies, string(body))
	return nil
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids)
}

func runClient(t *testing.T, url, till, token string, handle func(context.Context, relay.Delivered) error) *relay.Client {
	t.Helper()
	c := relay.NewClient(relay.ClientConfig{URL: url, TillID: till, Token: token, Handle: handle,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Logf: t.Logf})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReceiveAnswersAndRefusals(t *testing.T) {
	_, srv := openRelay(t, t.TempDir())
	if code, body := post(t, srv.URL+"/n/shop-1/alipay", "a=1", nil); code != 200 || body != "success" {
		t.Fatalf("alipay answer %d %q", code, body)
	}
	if code, body := post(t, srv.URL+"/n/shop-1/wechat", "{}", nil); code != 204 || body != "" {
		t.Fatalf("wechat answer %d %q", code, body)
	}
	for _, path := range []string{"/n/nobody/alipay", "/n/shop-1/paypal", "/n/shop-1"} {
		if code, _ := post(t, srv.URL+path, "x", nil); code != 404 {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
	if code, _ := post(t, srv.URL+"/n/shop-1/alipay", strings.Repeat("x", relay.MaxBody+1), nil); code != 413 {
		t.Errorf("oversized body: %d", code)
	}
	// Wrong token, and one till's token on another till's stream.
	for _, tc := range []struct{ till, token string }{{"shop-1", "nope"}, {"shop-2", "tok-1"}} {
		req, _ := http.NewRequest("GET", srv.URL+"/t/"+tc.till+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s with %s: %d, want 401", tc.till, tc.token, resp.StatusCode)
		}
	}
	resp, _ := http.Get(srv.URL + "/healthz")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"shop-1":{"connected":false,"backlog":2}`) {
		t.Errorf("health %s", b)
	}
}

func TestBacklogInOrderExactBytesAndResume(t *testing.T) {
	dir := t.TempDir()
	s, srv := openRelay(t, dir)
	bodies := []string{"a=1+2&b=%2B", "{\"x\":\"支付\"}\n", "third"}
	for _, b := range bodies {
		post(t, srv.URL+"/n/shop-1/wechat", b, http.Header{"Wechatpay-Signature": {"sig"}})
	}
	// The relay restarts between storing and streaming: nothing is lost.
	srv.Close()
	s.Close()
	_, srv2 := openRelay(t, dir)
	col := &collector{fail: 1} // the till's first store attempt fails
	runClient(t, srv2.URL, "shop-1", "tok-1", col.handle)
	waitUntil(t, "the backlog", func() bool { return col.count() == 3 })
	for i, b := range bodies {
		if col.bodies[i] != b || col.ids[i] != uint64(i+1) {
			t.Fatalf("delivery %d: id %d body %q, want %d %q", i, col.ids[i], col.bodies[i], i+1, b)
		}
	}
	// Everything acknowledged: the backlog is empty.
	waitUntil(t, "acks", func() bool {
		resp, _ := http.Get(srv2.URL + "/healthz")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), `"shop-1":{"connected":true,"backlog":0}`)
	})
	// A live one arrives over the open stream.
	post(t, srv2.URL+"/n/shop-1/alipay", "live=1", nil)
	waitUntil(t, "a live delivery", func() bool { return col.count() == 4 })
}

// TestSandboxThroughRelayToTill: polling off, so the order turns PAID
// only through sandbox → relay → till; a forged notification posted to the
// relay never moves an order; a duplicate is applied once.
func TestSandboxThroughRelayToTill(t *testing.T) {
	_, srv := openRelay(t, t.TempDir())
	rig := tilltest.New(t, tilltest.Options{NoPolling: true, NotifyURL: func(ch payments.Channel) string {
		return srv.URL + "/n/shop-1/" + string(ch)
	}})
	var refused sync.Map
	handle := func(ctx context.Context, d relay.Delivered) error {
		p := rig.Providers[payments.Channel(d.Channel)]
		err := payments.HandleNotification(ctx, p, d.Request, func(ctx context.Context, n payments.Notification) error {
			return rig.Till.HandleNotification(ctx, n, pos.SourceRelay)
		})
		if err != nil && (errors.Is(err, payments.ErrBadSignature) || errors.Is(err, payments.ErrMalformed) ||
			errors.Is(err, payments.ErrWrongMerchant) || errors.Is(err, pos.ErrMismatch) || errors.Is(err, pos.ErrUnknownTrade)) {
			refused.Store(d.ID, err)
			return relay.Permanent(err)
		}
		return err
	}
	client := runClient(t, srv.URL, "shop-1", "tok-1", handle)
	waitUntil(t, "the stream", client.Connected)

	lines := []pos.Line{{SKU: "W", NameEN: "Water", NameZH: "水", UnitPrice: 200, Quantity: 1, Total: 200}}
	for _, ch := range []payments.Channel{payments.WeChat, payments.Alipay} {
		o, err := rig.Till.Checkout(context.Background(), lines, "ann", "t1")
		if err != nil {
			t.Fatal(err)
		}
		if o, err = rig.Till.Pay(context.Background(), o.Number, ch); err != nil {
			t.Fatal(err)
		}
		rig.Gateway.SetFaults(sandbox.Faults{DuplicateNotify: 1})
		if _, err := rig.Gateway.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, fmt.Sprintf("%s order paid through the relay", ch), func() bool {
			got, _ := rig.Till.Order(context.Background(), o.Number)
			return got.Status == pos.OrderPaid
		})
		evs, _ := rig.Till.Events(context.Background(), o.Number)
		paid := 0
		for _, e := range evs {
			if e.Kind == "paid" {
				paid++
				if e.Source != pos.SourceRelay {
					t.Errorf("paid by %s, want relay", e.Source)
				}
			}
		}
		if paid != 1 {
			t.Errorf("%s: %d paid events for a duplicated notification, want 1", ch, paid)
		}
	}

	// A forgery posted straight to the relay is stored and streamed (the
	// relay is not trusted) but refused by the till, acknowledged, and
	// moves nothing.
	o, _ := rig.Till.Checkout(context.Background(), lines, "ann", "t1")
	o, _ = rig.Till.Pay(context.Background(), o.Number, payments.WeChat)
	forged := `{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"ciphertext":"AAAA","nonce":"123456789012","associated_data":"transaction"}}`
	post(t, srv.URL+"/n/shop-1/wechat", forged, http.Header{"Wechatpay-Serial": {rig.Gateway.Info.WeChat.PublicKeyID},
		"Wechatpay-Signature": {"Zm9yZ2Vk"}, "Wechatpay-Timestamp": {"1"}, "Wechatpay-Nonce": {"n"}})
	waitUntil(t, "the forgery refused", func() bool {
		n := 0
		refused.Range(func(any, any) bool { n++; return true })
		return n >= 1
	})
	if got, _ := rig.Till.Order(context.Background(), o.Number); got.Status != pos.OrderAwaitingPayment {
		t.Fatalf("a forged notification moved the order to %s", got.Status)
	}
}

func newServer(s *relay.Server) *httptest.Server { return httptest.NewServer(s) }

func TestFailedWriteRateLimitAndRetention(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := relay.Open(t.TempDir(), tokens, relay.Options{RatePerIP: 2, Retention: time.Hour, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	// Per-source rate limit: the bucket holds two.
	for i, want := range []int{200, 200, 429} {
		if code, _ := post(t, srv.URL+"/n/shop-1/alipay", "n=1", nil); code != want {
			t.Fatalf("post %d: %d, want %d", i, code, want)
		}
	}
	// Retention: past the window, unacknowledged notifications are pruned.
	now = now.Add(2 * time.Hour)
	if n, err := s.Prune(); err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	// A write that fails is answered as a failure, so the provider retries.
	s.Close()
	if code, body := post(t, srv.URL+"/n/shop-1/alipay", "n=1", nil); code != 500 || body != "fail" {
		t.Fatalf("failed write, Alipay: %d %q", code, body)
	}
	if code, body := post(t, srv.URL+"/n/shop-1/wechat", "{}", nil); code != 500 || !strings.Contains(body, `"code":"FAIL"`) {
		t.Fatalf("failed write, WeChat: %d %q", code, body)
	}
}
