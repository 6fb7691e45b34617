package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

func TestControlExternalRefund(t *testing.T) {
	g, srv := newTestGateway(t)
	sink := newJSONSink(t)
	exp := time.Now().Add(time.Hour)
	g.Ledger().Create(payments.WeChat, KindQR, "EXTR0001", 1000, "x", sink.srv.URL, exp)
	g.Ledger().Create(payments.WeChat, KindQR, "EXTR0002", 1000, "x", "", exp)
	g.Ledger().Pay("EXTR0001")
	<-sink.got // the payment's notification
	refund := func(no, body string, v any) int {
		return call(t, "POST", srv.URL+"/sandbox/trades/"+no+"/refund", body, v)
	}
	var tr Trade
	if code := refund("EXTR0001", `{"amount_fen": 300}`, &tr); code != 200 || tr.OutTradeNo != "EXTR0001" || tr.RefundedFen != 300 ||
		len(tr.Refunds) != 1 || !tr.Refunds[0].External || !strings.HasPrefix(tr.Refunds[0].RefundNo, "EXT") {
		t.Fatalf("external refund: %d %+v", code, tr)
	}
	h := &wxHarness{g: g, keys: g.Keys()}
	event, n := sink.refundNotice(t, h)
	if event != "REFUND.SUCCESS" || n.OutRefundNo != tr.Refunds[0].RefundNo || n.Amount.Refund != 300 || n.OutTradeNo != "EXTR0001" {
		t.Fatalf("external refund notification %s %+v", event, n)
	}
	for _, c := range []struct {
		no, body string
		code     int
	}{
		{"EXTR0001", `{}`, 400},
		{"EXTR0001", `{"amount_fen": 0}`, 400},
		{"EXTR0001", `{"amount_fen": -5}`, 400},
		{"EXTR0001", `{"amount_fen": 1.5}`, 400},
		{"EXTR0001", `{"amount": 100}`, 400},
		{"EXTR0001", `not json`, 400},
		{"NOSUCH", `{"amount_fen": 100}`, 404},
		{"EXTR0001", `{"amount_fen": 701}`, 409}, // 700 left
		{"EXTR0002", `{"amount_fen": 100}`, 409}, // not paid
	} {
		var m map[string]any
		if code := refund(c.no, c.body, &m); code != c.code || m["error"] == nil {
			t.Errorf("%s %s: %d %v, want %d", c.no, c.body, code, m, c.code)
		}
	}
	// The rest, through a refund fault: processing, then done.
	g.SetFaults(Faults{RefundProcessing: 1})
	if code := refund("EXTR0001", `{"amount_fen": 700}`, &tr); code != 200 || tr.Status != StatusRefunded || tr.Refunds[1].Status != RefundProcessing {
		t.Fatalf("processing external refund: %d %+v", code, tr)
	}
	if event, n := sink.refundNotice(t, h); event != "REFUND.SUCCESS" || n.Amount.Refund != 700 {
		t.Fatalf("second notification %s %+v", event, n)
	}
}

// localClient calls from a given loopback address.
func localClient(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 5 * time.Second}
}

// TestControlLoopbackOnly: the sandbox on 127.0.0.2 with the loopback
// check pointed away from 127.0.0.1, so a caller there plays a phone on
// the LAN; every byte stays on loopback.
func TestControlLoopbackOnly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address here: %v", err)
	}
	lanAddr := netip.MustParseAddr("127.0.0.1")
	g, err := New(Config{Keys: sharedKeys(t), BaseURL: "http://" + ln.Addr().String(),
		IsLoopback: func(a netip.Addr) bool { return a.IsLoopback() && a != lanAddr }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, g) }()
	t.Cleanup(func() { cancel(); <-done })
	g.Ledger().Create(payments.WeChat, KindQR, "LAN00001", 100, "x", "", time.Now().Add(time.Hour))
	base := "http://" + ln.Addr().String()
	status := func(c *http.Client, method, path, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	lan, self := localClient("127.0.0.1"), localClient("127.0.0.2")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/sandbox/trades", ""}, {"GET", "/sandbox/trades/LAN00001", ""}, {"POST", "/sandbox/trades/LAN00001/pay", ""},
		{"POST", "/sandbox/trades/LAN00001/scan", ""}, {"POST", "/sandbox/trades/LAN00001/cancel", ""},
		{"POST", "/sandbox/trades/LAN00001/refund", `{"amount_fen":1}`}, {"GET", "/sandbox/faults", ""},
		{"POST", "/sandbox/faults", `{"fail_next":5}`}, {"GET", "/sandbox/info", ""},
	} {
		if got := status(lan, c.method, c.path, c.body); got != http.StatusForbidden {
			t.Errorf("from the LAN: %s %s answered %d, want 403", c.method, c.path, got)
		}
	}
	if tr, _ := g.Ledger().Get("LAN00001"); tr.Status != StatusCreated || g.Faults().FailNext != 0 {
		t.Fatalf("a LAN caller moved things: %s %+v", tr.Status, g.Faults())
	}
	// The wallet page and the provider APIs stay open to the LAN.
	if got := status(lan, "GET", "/pay/LAN00001", ""); got != 200 {
		t.Fatalf("wallet page from the LAN: %d", got)
	}
	if got := status(lan, "POST", "/gateway.do", "method=alipay.trade.query"); got != 200 {
		t.Fatalf("Alipay gateway from the LAN: %d", got)
	}
	// This machine through its own address is this machine.
	if got := status(self, "POST", "/sandbox/trades/LAN00001/pay", ""); got != 200 {
		t.Fatalf("from this machine: %d", got)
	}
	var info Info
	resp, err := self.Get(base + "/sandbox/info")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info.BaseURL != base {
		t.Fatalf("info from this machine: %+v", info)
	}
}

// TestControlFromOwnLANAddress: this machine calling its own LAN address
// (curl $BASE, base_url being the LAN address) is let in; another host is
// not.
func TestControlFromOwnLANAddress(t *testing.T) {
	g, _ := newTestGateway(t)
	for _, c := range []struct {
		remote string
		want   bool
	}{{"192.168.1.5:40000", true}, {"192.168.1.6:40000", false}, {"[::1]:40000", true}, {"127.0.0.1:40000", true}, {"garbage", false}} {
		r, _ := http.NewRequest("GET", "/sandbox/trades", nil)
		r.RemoteAddr = c.remote
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.ParseIP("192.168.1.5"), Port: 8700}))
		if got := g.fromThisMachine(r); got != c.want {
			t.Errorf("from %s to 192.168.1.5: %v, want %v", c.remote, got, c.want)
		}
	}
}
