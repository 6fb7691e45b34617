package relay_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// served is a relay behind relay.Serve on a loopback listener: the
// connection limits and timeouts that face the internet.
type served struct {
	t    *testing.T
	s    *relay.Server
	addr string
}

func newServed(t *testing.T, opt relay.Options) *served {
	t.Helper()
	if opt.Tokens == nil {
		opt.Tokens = testTokens
	}
	opt.Log = testLog(t)
	s, err := relay.Open(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveLoopback(t, s)
	return &served{t: t, s: s, addr: addr}
}

// dial connects from 127.0.0.x.
func (sv *served) dial(x byte) net.Conn {
	sv.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, x)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", sv.addr)
	if err != nil {
		sv.t.Fatal(err)
	}
	sv.t.Cleanup(func() { c.Close() })
	return c
}

// answer reads one response from c within limit, and how long it took.
func answer(t *testing.T, c net.Conn, limit time.Duration) (*http.Response, time.Duration) {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer within %s: %v", limit, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, time.Since(start)
}

// closedWithin insists the server closes c within limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(limit))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("connection still open after %s: %v", limit, err)
	}
}

// trickle writes one byte every 20 ms until c fails.
func trickle(c net.Conn) {
	go func() {
		for {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
}

// A body trickled in (never idle, never done) is cut BodyTimeout after
// the headers, on every route that takes a body — not held for as long
// as the sender likes, which it was when the deadline was cleared
// before net/http drained the rest of the body.
func TestASlowBodyIsCutAfterTheBodyTimeout(t *testing.T) {
	sv := newServed(t, relay.Options{BodyTimeout: 300 * time.Millisecond})
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/n/shop-1/alipay", http.StatusRequestTimeout},
		{"/n/shop-1/wechat", http.StatusRequestTimeout},
		{"/t/shop-1/ack", http.StatusBadRequest},
		{"/n/nobody/alipay", http.StatusNotFound},
		{"/elsewhere", http.StatusNotFound},
	} {
		c := sv.dial(1)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer tok-1\r\nContent-Length: 60000\r\n\r\nnotify_id=", tc.path)
		trickle(c)
		resp, took := answer(t, c, 5*time.Second)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %s, want %d", tc.path, resp.Status, tc.want)
		}
		closedWithin(t, c, 3*time.Second)
		t.Logf("%s: %s after %s", tc.path, resp.Status, took.Round(time.Millisecond))
	}
}

// Content-Length over the limit is answered 413 at once, before any of
// the body comes, and the connection is dropped rather than drained.
func TestAnOversizedContentLengthIs413AtOnce(t *testing.T) {
	sv := newServed(t, relay.Options{MaxBody: 1024, BodyTimeout: time.Minute})
	for _, ch := range []string{"alipay", "wechat"} {
		c := sv.dial(1)
		fmt.Fprintf(c, "POST /n/shop-1/%s HTTP/1.1\r\nHost: relay\r\nContent-Length: 100000\r\n\r\n", ch)
		resp, took := answer(t, c, 5*time.Second)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || took > 3*time.Second {
			t.Errorf("%s: %s after %s, want 413 at once", ch, resp.Status, took)
		}
		closedWithin(t, c, 3*time.Second)
	}
}

// Headers must be in within HeaderTimeout.
func TestSilentConnectionsAreClosedAfterTheHeaderTimeout(t *testing.T) {
	sv := newServed(t, relay.Options{HeaderTimeout: 200 * time.Millisecond})
	c := sv.dial(1)
	io.WriteString(c, "POST /n/shop-1/alipay HTTP/1.1\r\nHost: re")
	closedWithin(t, c, 5*time.Second)
}

// One source cannot hold more than MaxConnsPerSource connections; the
// others, and other sources, are served meanwhile.
func TestConnectionsAreCappedPerSource(t *testing.T) {
	sv := newServed(t, relay.Options{MaxConnsPerSource: 3, HeaderTimeout: time.Minute})
	var held []net.Conn
	for range 3 {
		c := sv.dial(7)
		io.WriteString(c, "POST /n/shop-1/alipay HTTP/1.1\r\n") // and nothing more
		held = append(held, c)
	}
	extra := sv.dial(7)
	closedWithin(t, extra, 5*time.Second)

	post := func(x byte) int {
		c := sv.dial(x)
		body := note("alipay", "cap")
		fmt.Fprintf(c, "POST /n/shop-1/alipay HTTP/1.1\r\nHost: relay\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(8); code != http.StatusOK {
		t.Fatalf("another source while one is at its cap: %d, want 200", code)
	}
	held[0].Close()
	waitFor(t, "a place for 127.0.0.7 again", func() bool { return post(7) == http.StatusOK })
}

// The rate limit and the connection cap key on an IPv4 address, and on
// an IPv6 /64 (a host has a whole /64 to pick addresses from).
func TestSourcesAreIPv4AddressesAndIPv6Slash64s(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"203.0.113.9:443", "203.0.113.9"},
		{"[::ffff:203.0.113.9]:443", "203.0.113.9"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:1", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:443", "2001:db8:1:3::/64"},
		{"[fe80::1%eth0]:443", "fe80::/64"},
		{"not an address", "not an address"},
	} {
		if got := relay.SourceKey(tc.addr); got != tc.want {
			t.Errorf("SourceKey(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}

	clock := newFakeClock()
	r := newRig(t, relay.Options{Rate: 1, Burst: 2, Clock: clock})
	post := func(remote string) int {
		req := httpRequest(t, "/n/shop-1/alipay", note("alipay", "v6"))
		req.RemoteAddr = remote
		w := httptest.NewRecorder()
		r.s.ServeHTTP(w, req)
		return w.Code
	}
	if a, b := post("[2001:db8::1]:1"), post("[2001:db8::2]:2"); a != 200 || b != 200 {
		t.Fatalf("first two from one /64: %d %d", a, b)
	}
	if c := post("[2001:db8::3:4]:3"); c != http.StatusTooManyRequests {
		t.Errorf("a third address in the same /64: %d, want 429 (one bucket per /64)", c)
	}
	if d := post("[2001:db8:0:1::1]:4"); d != 200 {
		t.Errorf("the next /64: %d, want 200", d)
	}
	if e, f := post("192.0.2.1:1"), post("192.0.2.2:1"); e != 200 || f != 200 {
		t.Errorf("two IPv4 addresses: %d %d, want their own buckets", e, f)
	}
}

// Buckets of sources gone quiet are forgotten, not kept until 10,000
// sources have come.
func TestIdleRateBucketsAreEvicted(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Rate: 10, Burst: 20, Clock: clock})
	post := func(remote string) {
		req := httpRequest(t, "/n/shop-1/alipay", note("alipay", "idle"))
		req.RemoteAddr = remote
		r.s.ServeHTTP(httptest.NewRecorder(), req)
	}
	for i := range 50 {
		post(fmt.Sprintf("198.51.100.%d:1", i))
	}
	if n := relay.RateBuckets(r.s); n != 50 {
		t.Fatalf("%d buckets after 50 sources, want 50", n)
	}
	clock.Advance(2 * time.Minute)
	post("198.51.100.200:1")
	if n := relay.RateBuckets(r.s); n != 1 {
		t.Errorf("%d buckets two idle minutes later, want only the new one", n)
	}
}

func httpRequest(t *testing.T, path, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://relay"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}
