package app_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/app"
	"qrtill/config"
	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/payments/sandbox/sandboxtest"
	"qrtill/pos"
	"qrtill/storage"
)

var lines = []pos.Line{{SKU: "W", NameEN: "Water", NameZH: "水", UnitPrice: 200, Quantity: 1, Total: 200}}

// captured is one notification as the sandbox posted it.
type captured struct {
	path   string
	header http.Header
	body   []byte
}

// catcher records the first notification per path and answers failure,
// as a till that is not up yet would.
type catcher struct {
	mu  sync.Mutex
	got map[string]captured
}

func (c *catcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	if _, ok := c.got[r.URL.Path]; !ok {
		c.got[r.URL.Path] = captured{path: r.URL.Path, header: r.Header.Clone(), body: body}
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusServiceUnavailable)
}

func (c *catcher) wait(t *testing.T, path string) captured {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		n, ok := c.got[path]
		c.mu.Unlock()
		if ok {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification posted to %s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// raw is the notification as bytes on the wire.
func (n captured) raw(body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: till\r\nConnection: close\r\nContent-Length: %d\r\n", n.path, len(body))
	for k, vs := range n.header {
		if k == "Content-Length" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// TestNotificationWhileTheTillStarts: notifications that reach the
// listener after New bound its port but before (and while) Start serves
// it are answered cleanly once the till is there: the genuine ones
// applied and acknowledged, a forged one refused, nothing panics and no
// connection is dropped.
func TestNotificationWhileTheTillStarts(t *testing.T) {
	gw := sandboxtest.Start(t)
	catch := &catcher{got: map[string]captured{}}
	catchSrv := httptest.NewServer(catch)
	defer catchSrv.Close()
	cfg := testkit.Config(t)
	opts := app.Options{Config: cfg, Log: testkit.Logger(t), Sandbox: &gw.Info, Store: storage.Options{NoSync: true},
		Till: func(c *pos.TillConfig) {
			c.NoPolling = true
			c.NotifyURL = func(ch payments.Channel) string { return catchSrv.URL + "/notify/" + string(ch) }
		}}

	// A first run takes two payments whose notifications it never gets.
	first, err := app.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	first.Start(context.Background())
	orders := map[payments.Channel]string{}
	for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat} {
		o, err := first.Till().Checkout(context.Background(), lines, "ann", "t1")
		if err != nil {
			t.Fatal(err)
		}
		if o, err = first.Till().Pay(context.Background(), o.Number, ch); err != nil {
			t.Fatal(err)
		}
		if _, err := gw.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
			t.Fatal(err)
		}
		orders[ch] = o.Number
	}
	alipayN, wechatN := catch.wait(t, "/notify/alipay"), catch.wait(t, "/notify/wechat")
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The next run: the port is bound, nothing serves yet, and the
	// notifications are already on the wire.
	opts.Till = func(c *pos.TillConfig) { c.NoPolling = true }
	second, err := app.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	forged := append([]byte(nil), alipayN.body...)
	forged = bytes.Replace(forged, []byte("total_amount=2.00"), []byte("total_amount=0.01"), 1)
	if bytes.Equal(forged, alipayN.body) {
		t.Fatalf("no total_amount=2.00 in %s", alipayN.body)
	}
	type answer struct {
		name string
		resp *http.Response
		body string
		err  error
	}
	answers := make(chan answer, 3)
	var conns []net.Conn
	for _, req := range []struct {
		name string
		raw  []byte
	}{{"alipay", alipayN.raw(alipayN.body)}, {"wechat", wechatN.raw(wechatN.body)}, {"forged", alipayN.raw(forged)}} {
		conn, err := net.Dial("tcp", second.NotifyAddr())
		if err != nil {
			t.Fatalf("dial the bound listener before Start: %v", err)
		}
		conns = append(conns, conn)
		if _, err := conn.Write(req.raw); err != nil {
			t.Fatal(err)
		}
		go func(name string, conn net.Conn) {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			a := answer{name: name, resp: resp, err: err}
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				a.body = string(b)
			}
			answers <- a
		}(req.name, conn)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	second.Start(context.Background())
	for range 3 {
		a := <-answers
		if a.err != nil {
			t.Fatalf("%s: no clean answer: %v", a.name, a.err)
		}
		switch a.name {
		case "alipay":
			if a.resp.StatusCode != 200 || a.body != "success" {
				t.Errorf("alipay: %d %q, want 200 success", a.resp.StatusCode, a.body)
			}
		case "wechat":
			if a.resp.StatusCode/100 != 2 {
				t.Errorf("wechat: %d %q, want 2xx", a.resp.StatusCode, a.body)
			}
		case "forged":
			if a.body != "fail" {
				t.Errorf("forged: %d %q, want fail", a.resp.StatusCode, a.body)
			}
		}
	}
	for ch, number := range orders {
		o, err := second.Till().Order(context.Background(), number)
		if err != nil || o.Status != pos.OrderPaid {
			t.Errorf("%s order %s after the notification: %s %v", ch, number, o.Status, err)
		}
		evs, _ := second.Till().Events(context.Background(), number)
		if last := evs[len(evs)-1]; last.Kind != pos.EventPaid || last.Source != pos.SourceNotify {
			t.Errorf("%s order: last event %s by %s, want paid by notify", ch, last.Kind, last.Source)
		}
	}
}

// TestBadInputWritesNothing: a key file that is not a key, a catalog
// with a bad line: New refuses with a sentence and leaves the data dir
// untouched (no order book, no log).
func TestBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"), 0o600)
	catalog := filepath.Join(dir, "shop.csv")
	os.WriteFile(catalog, []byte("sku,barcode,name_zh,name_en,price\nA,,甲,Alpha,1.234\n"), 0o600)
	tests := []struct {
		name string
		edit func(c *config.Config)
		want string
	}{
		{"not a key", func(c *config.Config) {
			c.Demo = false
			c.Alipay.AppID, c.Alipay.SellerID, c.Alipay.AppPrivateKeyFile, c.Alipay.AlipayPublicKeyFile = "2021", "2088", key, key
		}, "holds no PEM RSA private key"},
		{"bad catalog", func(c *config.Config) { c.Catalog = catalog }, "line 2"},
		{"bad zone", func(c *config.Config) { c.Shop.TimeZone = "Nowhere/Else" }, "shop.time_zone"},
		{"data dir under a file", func(c *config.Config) { c.Data = filepath.Join(key, "data") }, "is not a directory"},
	}
	for _, tt := range tests {
		cfg := testkit.Config(t)
		cfg.Data = filepath.Join(t.TempDir(), "data")
		tt.edit(&cfg)
		_, err := app.New(app.Options{Config: cfg})
		if !config.IsBadInput(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want bad input naming %q", tt.name, err, tt.want)
		}
		if _, err := os.Stat(cfg.Data); !errors.Is(err, os.ErrNotExist) && !strings.HasPrefix(cfg.Data, key) {
			t.Errorf("%s: the data dir was written (%v)", tt.name, err)
		}
	}
	// Good input on a data dir that does not exist yet: it is made.
	cfg := testkit.Config(t)
	cfg.Data = filepath.Join(t.TempDir(), "fresh", "qrtill")
	a, err := app.New(app.Options{Config: cfg, Store: storage.Options{NoSync: true}})
	if err != nil {
		t.Fatalf("a fresh data dir: %v", err)
	}
	a.Close()
	for _, f := range []string{"orders.db", "qrtill.log"} {
		if _, err := os.Stat(filepath.Join(cfg.Data, f)); err != nil {
			t.Errorf("fresh data dir: %v", err)
		}
	}
}

// TestShutdownOrder: what calls the till stops while the till still
// works; the till and the order book close after it; Done fires when a
// service ends.
func TestShutdownOrder(t *testing.T) {
	rig := testkit.New(t, testkit.Options{})
	a := rig.App
	var stoppedWithTill error
	ended := make(chan struct{})
	a.Go(app.Service{Name: "front",
		Run: func(ctx context.Context) error {
			select {
			case <-ended:
			case <-ctx.Done():
			}
			return nil
		},
		Stop: func(context.Context) error {
			_, stoppedWithTill = a.Till().Checkout(context.Background(), lines, "ann", "t1")
			return nil
		}})
	select {
	case <-a.Done():
		t.Fatal("Done before any service ended")
	default:
	}
	close(ended)
	select {
	case <-a.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done did not fire when a service ended")
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if stoppedWithTill != nil {
		t.Errorf("the till was gone when a front service stopped: %v", stoppedWithTill)
	}
	if _, err := a.Till().Checkout(context.Background(), lines, "ann", "t1"); err == nil {
		t.Error("the order book is still open after Shutdown")
	}
	if _, err := net.DialTimeout("tcp", a.NotifyAddr(), time.Second); err == nil {
		t.Error("the notify listener still accepts after Shutdown")
	}
}
