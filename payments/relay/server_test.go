package relay_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/relay"
)

func TestAnswersEachProviderItsOwnWayAfterStoring(t *testing.T) {
	r := newRig(t, relay.Options{})
	code, body, h := r.post("/n/shop-1/alipay", note("alipay", "1"), http.Header{
		"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}})
	if code != http.StatusOK || body != "success" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("alipay answered %d %q (%s), want 200 \"success\" text/plain", code, body, h.Get("Content-Type"))
	}
	wxHeader := wxHeader()
	wxHeader.Set("Request-Id", "08F78BB5AF0610D302")
	wxHeader.Set("User-Agent", "Mozilla/4.0")
	wxHeader.Set("Cookie", "session=not-kept")
	wxHeader.Set("X-Forwarded-For", "203.0.113.9")
	code, body, _ = r.post("/n/shop-1/wechat", note("wechat", "1"), wxHeader)
	if code != http.StatusNoContent || body != "" {
		t.Errorf("wechat answered %d %q, want 204 and no body", code, body)
	}
	// The answers came after the write: both are in the backlog now.
	if n := r.backlog("shop-1"); n != 2 {
		t.Fatalf("backlog %d, want 2", n)
	}
	s := r.openStream("shop-1", "tok-1", nil)
	a, w := s.next(), s.next()
	if a.ID != 1 || a.Channel != payments.Alipay || w.ID != 2 || w.Channel != payments.WeChat {
		t.Fatalf("got %d/%s, %d/%s; want 1/alipay, 2/wechat", a.ID, a.Channel, w.ID, w.Channel)
	}
	for _, k := range []string{"Content-Type", "Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Timestamp",
		"Wechatpay-Nonce", "Wechatpay-Signature-Type", "Request-Id", "User-Agent"} {
		if got := w.Header.Get(k); got != wxHeader.Get(k) {
			t.Errorf("header %s: %q, want %q", k, got, wxHeader.Get(k))
		}
	}
	for _, k := range []string{"Cookie", "X-Forwarded-For"} {
		if _, ok := w.Header[k]; ok {
			t.Errorf("header %s was kept; only the ones a till needs are", k)
		}
	}
	if w.ReceivedAt.IsZero() {
		t.Error("no received_at")
	}
}

// A body goes through the relay byte for byte: no form re-encoding, no
// newline trimmed, no charset conversion.
func TestBodiesAreByteIdenticalAfterTheRoundTrip(t *testing.T) {
	alipay := note("alipay", "x")
	wechat := note("wechat", "x")
	bodies := []string{
		alipay + "&gmt_create=2026-05-01+09%3A00%3A00&subject=%E6%B0%B4&total_amount=2.00",
		"{\"event_type\":\"TRANSACTION.SUCCESS\",\"summary\":\"支付成功\",\"resource\":{\"ciphertext\":\"q+/=\"}}\n",
		alipay + "&a=1+2&b=%2B&c=+&d=%2b",
		wechat + "\n\n",
		alipay + "&subject=%D6%D0%CE%C4\r\n",
		"\r\n" + wechat + "\r\n",
		alipay + "&body=\xff\xfe\x80",
		"{\"event_type\":\"X\",\"resource\":{\"ciphertext\":\"\xff\xfe binary \x80\"}}",
	}
	r := newRig(t, relay.Options{})
	for i, b := range bodies {
		ch := "alipay"
		if i%2 == 1 {
			ch = "wechat"
		}
		r.mustPostRaw("shop-1", ch, b)
	}
	// Through the raw stream …
	s := r.openStream("shop-1", "tok-1", nil)
	for i, want := range bodies {
		if e := s.next(); !bytes.Equal(e.Body, []byte(want)) {
			t.Errorf("stream body %d: %q, want %q", i, bytesOf(e.Body), want)
		}
	}
	s.close()
	// … and through the client, as the rebuilt request's body.
	var f till
	r.runClient("shop-1", "tok-1", f.handle)
	waitFor(t, "every body at the till", func() bool { return f.count() == len(bodies) })
	for i, want := range bodies {
		if !bytes.Equal(f.bodies[i], []byte(want)) || !bytes.Equal(f.got[i].Body, []byte(want)) {
			t.Errorf("till body %d: %q, want %q", i, bytesOf(f.bodies[i]), want)
		}
	}
}

func TestFailedWriteAnswersFailureAndStreamsNothing(t *testing.T) {
	r := newRig(t, relay.Options{})
	s := r.openStream("shop-1", "tok-1", nil)
	relay.FailWrites(r.s, errors.New("disk full"))
	code, body, _ := r.post("/n/shop-1/alipay", note("alipay", "1"), nil)
	if code != http.StatusInternalServerError || body != "fail" {
		t.Errorf("alipay after a failed write: %d %q, want 500 \"fail\"", code, body)
	}
	code, body, h := r.post("/n/shop-1/wechat", note("wechat", "1"), wxHeader())
	if code != http.StatusInternalServerError || !strings.HasPrefix(body, `{"code":"FAIL","message":"`) || h.Get("Content-Type") != "application/json" {
		t.Errorf("wechat after a failed write: %d %q, want 500 {\"code\":\"FAIL\",…}", code, body)
	}
	s.none(150 * time.Millisecond)
	if n := r.backlog("shop-1"); n != 0 {
		t.Fatalf("backlog %d after failed writes, want 0", n)
	}
	// The provider retries once the disk is back: that one is id 1.
	relay.FailWrites(r.s, nil)
	r.mustPost("shop-1", "wechat", "1")
	if e := s.next(); e.ID != 1 || string(e.Body) != note("wechat", "1") {
		t.Fatalf("after recovery got id %d %q", e.ID, e.Body)
	}
}

func TestRefusesWhatItMustNotStore(t *testing.T) {
	r := newRig(t, relay.Options{MaxBody: 1024})
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/n/nobody/alipay", "x", 404},
		{"POST", "/n/shop-1/paypal", "x", 404},
		{"POST", "/n/shop-1", "x", 404},
		{"POST", "/n/shop-1/alipay/extra", "x", 404},
		{"POST", "/n//alipay", "x", 404},
		{"POST", "/notify/alipay", "x", 404},
		{"GET", "/n/shop-1/alipay", "", 405},
		{"PUT", "/n/shop-1/wechat", "x", 405},
		{"POST", "/n/shop-1/alipay", strings.Repeat("x", 1025), 413},
		{"POST", "/n/shop-1/wechat", strings.Repeat("x", 1025), 413},
	} {
		req, _ := http.NewRequest(tc.method, r.srv.URL+tc.path, strings.NewReader(tc.body))
		if code, _, _ := r.do(req); code != tc.want {
			t.Errorf("%s %s (%d bytes): %d, want %d", tc.method, tc.path, len(tc.body), code, tc.want)
		}
	}
	// A chunked body (no Content-Length) over the limit is cut off too.
	req, _ := http.NewRequest("POST", r.srv.URL+"/n/shop-1/alipay", io.MultiReader(strings.NewReader(strings.Repeat("y", 4096))))
	if code, body, _ := r.do(req); code != 413 || body != "fail" {
		t.Errorf("chunked oversized body: %d %q, want 413 \"fail\"", code, body)
	}
	// Exactly at the limit is fine.
	atLimit := note("alipay", "z")
	atLimit += "&pad=" + strings.Repeat("z", 1024-len(atLimit)-len("&pad="))
	r.mustPostRaw("shop-1", "alipay", atLimit)
	if b1, b2 := r.backlog("shop-1"), r.backlog("shop-2"); b1 != 1 || b2 != 0 {
		t.Errorf("backlog %d, %d; want only the one at the limit", b1, b2)
	}
}

func TestRateLimitPerSourceAddress(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Rate: 1, Burst: 3, Clock: clock})
	for i := 0; i < 3; i++ {
		r.mustPost("shop-1", "alipay", "n=1")
	}
	code, body, h := r.post("/n/shop-1/wechat", note("wechat", "1"), wxHeader())
	if code != http.StatusTooManyRequests || !strings.Contains(body, `"FAIL"`) || h.Get("Retry-After") == "" {
		t.Errorf("4th at once: %d %q, want 429 FAIL with Retry-After", code, body)
	}
	if code, body, _ := r.post("/n/shop-1/alipay", note("alipay", "1"), nil); code != 429 || body != "fail" {
		t.Errorf("5th at once: %d %q, want 429 fail", code, body)
	}
	clock.Advance(time.Second) // one more token
	r.mustPost("shop-1", "alipay", "n=1")
	if code, _, _ := r.post("/n/shop-1/alipay", note("alipay", "1"), nil); code != 429 {
		t.Errorf("after the refill is spent: %d, want 429", code)
	}
	if n := r.backlog("shop-1"); n != 4 {
		t.Errorf("backlog %d, want the 4 accepted", n)
	}
}

func TestStreamAndAckNeedTheTillsOwnToken(t *testing.T) {
	r := newRig(t, relay.Options{})
	r.mustPost("shop-2", "alipay", "secret-ish=1")
	for _, tc := range []struct {
		name, till, auth string
		want             int
	}{
		{"no token", "shop-2", "", 401},
		{"wrong scheme", "shop-2", "Basic dG9rLTI6", 401},
		{"wrong token", "shop-2", "Bearer tok-x", 401},
		{"another till's token", "shop-2", "Bearer tok-1", 403},
		{"unknown till", "shop-9", "Bearer tok-1", 403},
		{"unknown till, unknown token", "shop-9", "Bearer nope", 401},
	} {
		for _, ep := range []struct{ method, path, body string }{
			{"GET", "/events", ""}, {"POST", "/ack", `{"id":1}`},
		} {
			req, _ := http.NewRequest(ep.method, r.srv.URL+"/t/"+tc.till+ep.path, strings.NewReader(ep.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			code, body, h := r.do(req)
			if code != tc.want {
				t.Errorf("%s on %s %s: %d, want %d", tc.name, ep.method, ep.path, code, tc.want)
			}
			if code == 401 && h.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
			}
			if strings.Contains(body, "secret-ish") {
				t.Errorf("%s: a refused request saw a notification", tc.name)
			}
		}
	}
	if n := r.backlog("shop-2"); n != 1 {
		t.Errorf("shop-2 backlog %d, want 1: a refused ack must not count", n)
	}
}

func TestStreamDeliversInOrderThenLive(t *testing.T) {
	r := newRig(t, relay.Options{})
	r.mustPost("shop-2", "alipay", "other till")
	for i := range 5 {
		r.mustPost("shop-1", "wechat", "n"+string(rune('0'+i)))
	}
	s := r.openStream("shop-1", "tok-1", nil)
	for i := range 5 {
		if e := s.next(); e.ID != uint64(i+1) || string(e.Body) != note("wechat", "n"+string(rune('0'+i))) {
			t.Fatalf("event %d: id %d body %q", i, e.ID, e.Body)
		}
	}
	r.mustPost("shop-1", "alipay", "live")
	if e := s.next(); e.ID != 6 || string(e.Body) != note("alipay", "live") {
		t.Fatalf("live event: id %d body %q, want 6 live", e.ID, e.Body)
	}
	s.none(3 * 50 * time.Millisecond) // heartbeats only; shop-2's notification is not ours
	// shop-2 has its own sequence.
	if e := r.openStream("shop-2", "tok-2", nil).next(); e.ID != 1 || string(e.Body) != note("alipay", "other till") {
		t.Fatalf("shop-2: id %d %q", e.ID, e.Body)
	}
}

func TestReconnectResumesAfterTheAckedAndResendsTheRest(t *testing.T) {
	r := newRig(t, relay.Options{})
	for range 6 {
		r.mustPost("shop-1", "alipay", "n=1")
	}
	s := r.openStream("shop-1", "tok-1", nil)
	for range 6 {
		s.next()
	}
	if code := r.ack("shop-1", "tok-1", `{"id":1}`); code != 204 {
		t.Fatalf("ack: %d", code)
	}
	if code := r.ack("shop-1", "tok-1", `{"ids":[2,3,5]}`); code != 204 {
		t.Fatalf("ack ids: %d", code)
	}
	s.close()
	if n := r.backlog("shop-1"); n != 2 {
		t.Errorf("backlog %d, want 2 (4 and 6)", n)
	}
	s = r.openStream("shop-1", "tok-1", nil)
	if a, b := s.next(), s.next(); a.ID != 4 || b.ID != 6 {
		t.Fatalf("after reconnect got %d, %d; want the unacknowledged 4 and 6", a.ID, b.ID)
	}
	s.none(3 * 50 * time.Millisecond)
	if code := r.ack("shop-1", "tok-1", `{"ids":[4,6]}`); code != 204 {
		t.Fatalf("ack: %d", code)
	}
	s.close()
	s = r.openStream("shop-1", "tok-1", nil)
	s.none(3 * 50 * time.Millisecond)
	r.mustPost("shop-1", "wechat", "{}")
	if e := s.next(); e.ID != 7 {
		t.Fatalf("next live id %d, want 7", e.ID)
	}
}

func TestLastEventIDIsOnlyALowerBound(t *testing.T) {
	r := newRig(t, relay.Options{})
	for range 4 {
		r.mustPost("shop-1", "alipay", "n=1")
	}
	r.ack("shop-1", "tok-1", `{"ids":[1,2]}`)
	for _, tc := range []struct {
		last  string
		first uint64
	}{
		{"0", 3},   // cannot go back before the acknowledged
		{"1", 3},   // ditto
		{"3", 4},   // the till says it has 3: start after it
		{"x", 3},   // garbage is ignored
		{"99", 5},  // beyond the last: only new ones
		{"", 3},    // none: the acknowledged point
		{" 2 ", 3}, // whitespace
	} {
		h := http.Header{}
		if tc.last != "" {
			h.Set("Last-Event-ID", tc.last)
		}
		s := r.openStream("shop-1", "tok-1", h)
		if tc.first == 5 {
			r.mustPost("shop-1", "wechat", "{}")
		}
		if e := s.next(); e.ID != tc.first {
			t.Errorf("Last-Event-ID %q: first id %d, want %d", tc.last, e.ID, tc.first)
		}
		s.close()
	}
}

func TestAckRefusesWhatIsNotAnAck(t *testing.T) {
	r := newRig(t, relay.Options{})
	r.mustPost("shop-1", "alipay", "n=1")
	for _, body := range []string{`{"id":2}`, `{"ids":[1,99]}`, `{}`, `{"ids":[]}`, `not json`, `{"id":-1}`} {
		if code := r.ack("shop-1", "tok-1", body); code != 400 {
			t.Errorf("ack %s: %d, want 400", body, code)
		}
	}
	if n := r.backlog("shop-1"); n != 1 {
		t.Errorf("backlog %d after refused acks, want 1", n)
	}
	if code := r.ack("shop-1", "tok-1", `{"id":1}`); code != 204 {
		t.Errorf("good ack: %d", code)
	}
	if code := r.ack("shop-1", "tok-1", `{"id":1}`); code != 204 {
		t.Errorf("repeated ack: %d, want 204 (idempotent)", code)
	}
}

// The relay "dies" after answering the provider and before any till
// connected: everything it answered for is still there after a restart.
func TestNothingLostWhenTheRelayRestartsBetweenStoringAndStreaming(t *testing.T) {
	r := newRig(t, relay.Options{})
	for _, b := range []string{"one", "two", "three"} {
		r.mustPost("shop-1", "wechat", b)
	}
	r.ack("shop-1", "tok-1", `{"id":1}`)
	r.stop()

	info, err := os.Stat(filepath.Join(r.dir, "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("relay.db mode %04o, want 0600", perm)
	}

	r2 := newRig(t, relay.Options{}, r.dir)
	s := r2.openStream("shop-1", "tok-1", nil)
	if a, b := s.next(), s.next(); a.ID != 2 || string(a.Body) != note("wechat", "two") || b.ID != 3 || string(b.Body) != note("wechat", "three") {
		t.Fatalf("after restart: %d %q, %d %q", a.ID, a.Body, b.ID, b.Body)
	}
	r2.mustPost("shop-1", "alipay", "four")
	if e := s.next(); e.ID != 4 {
		t.Fatalf("the sequence went on at %d, want 4", e.ID)
	}
}

func TestANewerStreamReplacesTheOlder(t *testing.T) {
	r := newRig(t, relay.Options{})
	old := r.openStream("shop-1", "tok-1", nil)
	waitFor(t, "shop-1 connected", func() bool { return r.health().Connected == 1 })
	r.openStream("shop-1", "tok-1", nil)
	select {
	case <-old.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the older stream was not ended")
	}
	waitFor(t, "one connection", func() bool {
		h := r.health("shop-1")
		return h.Connected == 1 && h.Till.Connected
	})
}
