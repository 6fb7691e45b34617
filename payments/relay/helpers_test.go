package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// Two tills and their tokens.
var testTokens = relay.Tokens{"shop-1": relay.HashToken("tok-1"), "shop-2": relay.HashToken("tok-2")}

// fakeClock is a Clock the test moves by hand. With auto set, After fires
// at once (the wait is still recorded).
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	waits   []time.Duration
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	ch := make(chan time.Time, 1)
	if f.auto || d <= 0 {
		ch <- f.now
		return ch
	}
	f.waiters = append(f.waiters, fakeWaiter{f.now.Add(d), ch})
	return ch
}

// Advance moves the clock and fires the waits that are due.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.at.After(f.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- f.now
	}
	f.waiters = kept
}

func (f *fakeClock) pendingWaiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

func (f *fakeClock) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// rig is a relay behind an httptest server.
type rig struct {
	t   *testing.T
	dir string
	s   *relay.Server
	srv *httptest.Server
}

// newRig opens a relay in a fresh directory (or dir, when given).
func newRig(t *testing.T, opt relay.Options, dir ...string) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir()}
	if len(dir) > 0 {
		r.dir = dir[0]
	}
	if opt.Tokens == nil {
		opt.Tokens = testTokens
	}
	if opt.Heartbeat == 0 {
		opt.Heartbeat = 50 * time.Millisecond
	}
	if opt.Log == nil {
		opt.Log = testLog(t)
	}
	s, err := relay.Open(r.dir, opt)
	if err != nil {
		t.Fatalf("open relay: %v", err)
	}
	r.s = s
	r.srv = httptest.NewServer(s)
	t.Cleanup(r.stop)
	return r
}

// stop closes the relay the way a crash would look to the outside: the
// store is checked, closed, and the listener goes away. Safe twice.
func (r *rig) stop() {
	if r.s == nil {
		return
	}
	if err := relay.CheckStore(r.s); err != nil {
		r.t.Errorf("store check: %v", err)
	}
	if err := r.s.Close(); err != nil {
		r.t.Errorf("close relay: %v", err)
	}
	r.srv.Close()
	r.s = nil
}

// post sends a notification as a provider would and returns the answer.
func (r *rig) post(path, body string, header http.Header) (int, string, http.Header) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return r.do(req)
}

func (r *rig) do(req *http.Request) (int, string, http.Header) {
	r.t.Helper()
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// note is a body of the shape channel's notifications have (what the
// relay checks before storing), carrying tag so tests can tell them
// apart.
func note(channel, tag string) string {
	if channel == "alipay" {
		return "notify_id=N-" + url.QueryEscape(tag) + "&out_trade_no=T1&sign_type=RSA2&sign=c2lnbmF0dXJl&tag=" + url.QueryEscape(tag)
	}
	return `{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"ciphertext":"` + tag + `"}}`
}

// wxHeader is what WeChat Pay sends with a notification.
func wxHeader() http.Header {
	return http.Header{
		"Content-Type":             {"application/json"},
		"Wechatpay-Serial":         {"PUB_KEY_ID_0114"},
		"Wechatpay-Signature":      {"c2lnbmF0dXJl"},
		"Wechatpay-Timestamp":      {"1719230681"},
		"Wechatpay-Nonce":          {"3vlWsMb8hM7a"},
		"Wechatpay-Signature-Type": {"WECHATPAY2-SHA256-RSA2048"},
	}
}

// mustPost posts note(channel, tag) as the provider would and insists
// the relay accepted it.
func (r *rig) mustPost(till, channel, tag string) {
	r.t.Helper()
	r.mustPostRaw(till, channel, note(channel, tag))
}

// mustPostRaw posts body as is (with WeChat's headers for wechat).
func (r *rig) mustPostRaw(till, channel, body string) {
	r.t.Helper()
	var h http.Header
	if channel == "wechat" {
		h = wxHeader()
	}
	code, answer, _ := r.post("/n/"+till+"/"+channel, body, h)
	if code/100 != 2 {
		r.t.Fatalf("post to %s/%s: %d %q", till, channel, code, answer)
	}
}

// ack acknowledges ids for a till with its token.
func (r *rig) ack(till, token, body string) int {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/t/"+till+"/ack", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	code, _, _ := r.do(req)
	return code
}

// plainTokens are the tokens of testTokens.
var plainTokens = map[string]string{"shop-1": "tok-1", "shop-2": "tok-2"}

// health is GET /healthz; with a till's token when till is given.
func (r *rig) health(till ...string) relay.Health {
	r.t.Helper()
	req := mustRequest(r.t, http.MethodGet, r.srv.URL+"/healthz")
	if len(till) > 0 {
		req.Header.Set("Authorization", "Bearer "+plainTokens[till[0]])
	}
	code, body, _ := r.do(req)
	if code != http.StatusOK {
		r.t.Fatalf("healthz: %d %s", code, body)
	}
	var h relay.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		r.t.Fatalf("healthz %s: %v", body, err)
	}
	return h
}

// backlog is a till's backlog, as /healthz tells it with its token.
func (r *rig) backlog(till string) int {
	r.t.Helper()
	h := r.health(till)
	if h.Till == nil || h.Till.ID != till {
		r.t.Fatalf("healthz with %s's token: %+v", till, h.Till)
	}
	return h.Till.Backlog
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// stream is a raw SSE connection to the relay, read by a goroutine.
type stream struct {
	t      *testing.T
	cancel context.CancelFunc
	events chan relay.Event
	done   chan struct{}
	err    error // why reading stopped; read after done
}

// openStream connects to till's stream and insists on 200.
func (r *rig) openStream(till, token string, header http.Header) *stream {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+"/t/"+till+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		cancel()
		r.t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		cancel()
		r.t.Fatalf("open stream: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &stream{t: r.t, cancel: cancel, events: make(chan relay.Event, 1024), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		next := relay.ReadSSE(resp.Body)
		for {
			ev, err := next()
			if err != nil {
				s.err = err
				return
			}
			var e relay.Event
			if err := json.Unmarshal(ev.Data, &e); err != nil {
				s.err = err
				return
			}
			if ev.Event != "notification" || ev.ID == "" {
				s.t.Errorf("event %q of type %q", ev.ID, ev.Event)
			}
			s.events <- e
		}
	}()
	r.t.Cleanup(s.close)
	return s
}

// next waits for the next event.
func (s *stream) next() relay.Event {
	s.t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(10 * time.Second):
		s.t.Fatal("no event within 10s")
		return relay.Event{}
	}
}

// none insists no event is waiting and none arrives while the relay
// sends a heartbeat or two.
func (s *stream) none(within time.Duration) {
	s.t.Helper()
	select {
	case e := <-s.events:
		s.t.Fatalf("unexpected event %d", e.ID)
	case <-time.After(within):
	}
}

func (s *stream) close() {
	s.cancel()
	<-s.done
}

// waitFor polls cond until it holds, for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// till is a fake till: its Handle records what it got and answers what
// the test scripted.
type till struct {
	mu     sync.Mutex
	got    []relay.Delivered
	bodies [][]byte
	log    []string
	answer func(d relay.Delivered, attempt int) error
	tries  map[uint64]int
}

func (f *till) handle(_ context.Context, d relay.Delivered) error {
	body, err := io.ReadAll(d.Request.Body)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tries == nil {
		f.tries = map[uint64]int{}
	}
	f.tries[d.ID]++
	var answer error
	if f.answer != nil {
		answer = f.answer(d, f.tries[d.ID])
	}
	f.log = append(f.log, fmt.Sprintf("handle %d: %v", d.ID, answer))
	if answer == nil || errors.Is(answer, relay.ErrPermanent) {
		f.got = append(f.got, d)
		f.bodies = append(f.bodies, body)
	}
	return answer
}

func (f *till) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

func (f *till) note(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, line)
}

// runClient runs a relay client for a till until the test ends.
func (r *rig) runClient(tillID, token string, handle func(context.Context, relay.Delivered) error, tweak ...func(*relay.ClientConfig)) *relay.Client {
	r.t.Helper()
	cfg := relay.ClientConfig{URL: r.srv.URL, TillID: tillID, Token: token, Handle: handle,
		HTTPClient: r.srv.Client(), Log: testLog(r.t),
		Backoff: relay.Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}}
	for _, f := range tweak {
		f(&cfg)
	}
	c := relay.NewClient(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("client run: %v", err)
		}
	})
	return c
}

// bytesOf is the stored body of an event, for messages.
func bytesOf(b []byte) string { return string(bytes.ToValidUTF8(b, []byte("?"))) }

// serveLoopback serves s with relay.Serve (the connection limits and
// timeouts that face the internet) on a 127.0.0.1 listener until the
// test ends, then closes s; it returns the listener's address.
func serveLoopback(tb testing.TB, s *relay.Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Serve(ctx, ln, s) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
		s.Close()
	})
	return ln.Addr().String()
}

// testLog is a log that writes to the test's output.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lineLog hands each log record's message to f.
func lineLog(f func(string)) *slog.Logger { return slog.New(lineHandler{f}) }

type lineHandler struct{ f func(string) }

func (lineHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h lineHandler) Handle(_ context.Context, r slog.Record) error {
	h.f(r.Message)
	return nil
}
func (h lineHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h lineHandler) WithGroup(string) slog.Handler      { return h }
