package relay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/relay"
)

func TestClientRebuildsTheProvidersRequest(t *testing.T) {
	r := newRig(t, relay.Options{})
	form := "notify_id=N1&sign_type=RSA2&out_trade_no=T1&subject=%E6%B0%B4&sign=ab+c%2Bd"
	r.post("/n/shop-1/alipay", form, http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}})
	wx := wxHeader()
	wx.Set("Wechatpay-Signature", "c2ln")
	r.post("/n/shop-1/wechat", note("wechat", "1"), wx)

	type seen struct {
		method, path, sign, subject, ctype, sig string
		body                                    string
	}
	var mu sync.Mutex
	var got []seen
	handle := func(_ context.Context, d relay.Delivered) error {
		req := d.Request
		s := seen{method: req.Method, path: req.URL.Path, ctype: req.Header.Get("Content-Type"), sig: req.Header.Get("Wechatpay-Signature")}
		if d.Channel == payments.Alipay {
			// gopay's ParseNotifyToBodyMap calls ParseForm: it must see the form.
			if err := req.ParseForm(); err != nil {
				return err
			}
			s.sign, s.subject = req.PostForm.Get("sign"), req.PostForm.Get("subject")
		} else {
			b, _ := io.ReadAll(req.Body)
			s.body = string(b)
		}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		return nil
	}
	r.runClient("shop-1", "tok-1", handle)
	waitFor(t, "both delivered", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	want := []seen{
		{method: "POST", path: "/notify/alipay", sign: "ab c+d", subject: "水", ctype: "application/x-www-form-urlencoded; charset=utf-8"},
		{method: "POST", path: "/notify/wechat", ctype: "application/json", sig: "c2ln", body: note("wechat", "1")},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delivery %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// Handle settles 1 (stored) and 2 (refused for good), fails 3 once; the
// client acks 1 and 2, never 3 until Handle stored it on redelivery.
func TestClientAcksOnlyWhatHandleSettled(t *testing.T) {
	r := newRig(t, relay.Options{})
	var f till
	f.answer = func(d relay.Delivered, attempt int) error {
		switch {
		case d.ID == 2:
			return relay.Permanent(errors.New("bad signature"))
		case d.ID == 3 && attempt == 1:
			return errors.New("till store busy")
		}
		return nil
	}
	// Watch the acks on their way to the relay.
	inner := r.srv.Config.Handler
	r.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/ack") {
			b, _ := io.ReadAll(req.Body)
			f.note("ack " + string(b))
			req.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		inner.ServeHTTP(w, req)
	})
	for _, b := range []string{"one", "two", "three"} {
		r.mustPost("shop-1", "wechat", b)
	}
	r.runClient("shop-1", "tok-1", f.handle)
	waitFor(t, "3 stored on its second try", func() bool { return f.count() == 3 })
	waitFor(t, "the backlog acknowledged", func() bool { return r.backlog("shop-1") == 0 })

	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.idsLocked(), []uint64{1, 2, 3}) {
		t.Errorf("settled %v, want [1 2 3]", f.idsLocked())
	}
	if f.tries[1] != 1 || f.tries[2] != 1 || f.tries[3] != 2 {
		t.Errorf("Handle calls %v, want 1:1 2:1 3:2", f.tries)
	}
	stored3 := slices.Index(f.log, "handle 3: <nil>")
	for i, line := range f.log {
		if strings.HasPrefix(line, "ack ") && strings.Contains(line, "3") && i < stored3 {
			t.Errorf("3 acknowledged before Handle stored it: %q", f.log)
		}
	}
}

func (f *till) idsLocked() []uint64 {
	var out []uint64
	for _, d := range f.got {
		out = append(out, d.ID)
	}
	return out
}

func TestClientReconnectsWithBackoffAfterTheServerDrops(t *testing.T) {
	r := newRig(t, relay.Options{})
	clock := newFakeClock()
	clock.auto = true
	// The relay refuses the first 4 connections, as a relay that is still
	// starting would.
	var streams atomic.Int32
	inner := r.srv.Config.Handler
	r.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/events") && streams.Add(1) <= 4 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, req)
	})
	var f till
	c := r.runClient("shop-1", "tok-1", f.handle, func(cfg *relay.ClientConfig) {
		cfg.Clock = clock
		cfg.Backoff = relay.Backoff{Min: 100 * time.Millisecond, Max: 400 * time.Millisecond}
	})
	waitFor(t, "connected", c.Connected)
	waits := clock.recorded()
	if len(waits) != 4 {
		t.Fatalf("waited %d times before connecting, want 4: %v", len(waits), waits)
	}
	for i, w := range waits {
		full := min(100*time.Millisecond<<i, 400*time.Millisecond)
		if w < full/2 || w > full {
			t.Errorf("wait %d: %s, want between %s and %s (exponential, jittered, capped)", i, w, full/2, full)
		}
	}

	// The server drops every connection: the client notices, reconnects
	// (from the short backoff again) and the stream works.
	r.srv.CloseClientConnections()
	waitFor(t, "reconnected", func() bool { return streams.Load() >= 6 && c.Connected() })
	if w := clock.recorded()[4]; w > 100*time.Millisecond {
		t.Errorf("after a healthy session the backoff started at %s, want ≤ 100ms", w)
	}
	r.mustPost("shop-1", "alipay", "after the drop")
	waitFor(t, "delivery after the drop", func() bool { return f.count() == 1 })
}

// A till offline for a while gets its backlog in order when it comes back.
func TestClientGetsTheBacklogInOrderAfterBeingOffline(t *testing.T) {
	r := newRig(t, relay.Options{})
	const n = 200
	for i := range n {
		ch := []string{"alipay", "wechat"}[i%2]
		r.mustPost("shop-1", ch, fmt.Sprintf("notification %03d", i))
	}
	var f till
	c := r.runClient("shop-1", "tok-1", f.handle)
	waitFor(t, "the whole backlog", func() bool { return f.count() == n })
	for i, d := range f.got {
		if d.ID != uint64(i+1) || string(f.bodies[i]) != note([]string{"alipay", "wechat"}[i%2], fmt.Sprintf("notification %03d", i)) {
			t.Fatalf("delivery %d: id %d body %q", i, d.ID, f.bodies[i])
		}
	}
	waitFor(t, "everything acknowledged", func() bool { return r.backlog("shop-1") == 0 })
	if !c.Connected() {
		t.Error("not connected")
	}
}

// An ack lost on its way: the relay sends the notification again after a
// reconnect, and the client acknowledges it without handing it to the
// till twice.
func TestClientSkipsWhatItAlreadySettledInThisRun(t *testing.T) {
	r := newRig(t, relay.Options{})
	var lose atomic.Bool
	lose.Store(true)
	var lost atomic.Int32
	inner := r.srv.Config.Handler
	r.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/ack") && lose.Load() {
			lost.Add(1)
			w.WriteHeader(http.StatusNoContent) // "ok", but the relay never saw it
			return
		}
		inner.ServeHTTP(w, req)
	})
	r.mustPost("shop-1", "wechat", "once")
	var f till
	r.runClient("shop-1", "tok-1", f.handle)
	waitFor(t, "the first delivery and its lost ack", func() bool { return f.count() == 1 && lost.Load() >= 1 })
	lose.Store(false)
	r.srv.CloseClientConnections()
	waitFor(t, "acknowledged after the redelivery", func() bool { return r.backlog("shop-1") == 0 })
	if n := f.count(); n != 1 {
		t.Errorf("Handle ran %d times for one notification", n)
	}
}

func TestClientReconnectsWhenTheStreamGoesSilent(t *testing.T) {
	r := newRig(t, relay.Options{Heartbeat: time.Hour})
	var streams atomic.Int32
	inner := r.srv.Config.Handler
	r.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/events") {
			streams.Add(1)
		}
		inner.ServeHTTP(w, req)
	})
	var f till
	r.runClient("shop-1", "tok-1", f.handle, func(cfg *relay.ClientConfig) { cfg.IdleTimeout = 50 * time.Millisecond })
	waitFor(t, "a reconnect after silence", func() bool { return streams.Load() >= 3 })
}

func TestClientConfigErrorsComeBackFromRun(t *testing.T) {
	for _, cfg := range []relay.ClientConfig{
		{URL: "http://127.0.0.1:1", TillID: "a", Token: "t"},
		{URL: "http://127.0.0.1:1", TillID: "a", Handle: func(context.Context, relay.Delivered) error { return nil }},
		{URL: "relay.example.com", TillID: "a", Token: "t", Handle: func(context.Context, relay.Delivered) error { return nil }},
	} {
		if err := relay.NewClient(cfg).Run(context.Background()); err == nil {
			t.Errorf("%+v: Run accepted it", cfg)
		}
	}
	c := relay.NewClient(relay.ClientConfig{URL: "https://relay.example.com/", TillID: "shop-1"})
	if got := c.NotifyURL(string(payments.WeChat)); got != "https://relay.example.com/n/shop-1/wechat" {
		t.Errorf("NotifyURL %q", got)
	}
}

func TestSSEReader(t *testing.T) {
	in := ": hello\r\nretry: 10\r\n\r\nid: 1\nevent: notification\ndata: {\"a\":\ndata:1}\n\n: ping\n\ndata: plain\n\n"
	next := relay.ReadSSE(strings.NewReader(in))
	e, err := next()
	if err != nil || e.ID != "1" || e.Event != "notification" || string(e.Data) != "{\"a\":\n1}" {
		t.Fatalf("first: %+v %v", e, err)
	}
	e, err = next()
	if err != nil || e.Event != "message" || string(e.Data) != "plain" {
		t.Fatalf("second: %+v %v", e, err)
	}
	if _, err := next(); err != io.EOF {
		t.Fatalf("end: %v, want EOF", err)
	}
}
