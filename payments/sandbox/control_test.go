package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

// call makes one request and decodes the JSON answer into v.
func call(t *testing.T, method, url, body string, v any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, url, ct)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
	return resp.StatusCode
}

func TestControlTradesJSON(t *testing.T) {
	g, srv := newTestGateway(t)
	exp := time.Now().Add(time.Hour)
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n/notify/alipay", exp)
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 300, "Tea", "http://n/notify/wechat", exp)

	var raw []map[string]json.RawMessage
	if code := call(t, "GET", srv.URL+"/sandbox/trades", "", &raw); code != 200 || len(raw) != 2 {
		t.Fatalf("GET /sandbox/trades: %d %d trades", code, len(raw))
	}
	// Exact names and JSON types.
	want := map[string]string{"out_trade_no": `"W1"`, "channel": `"wechat"`, "amount_fen": `300`,
		"status": `"created"`, "notify_url": `"http://n/notify/wechat"`, "refunded_fen": `0`,
		"notify_attempts": `0`, "notified": `false`}
	for k, v := range want {
		if string(raw[0][k]) != v {
			t.Errorf("newest trade %s = %s, want %s", k, raw[0][k], v)
		}
	}
	for _, k := range []string{"created_at", "expires_at"} {
		var at time.Time
		if err := json.Unmarshal(raw[0][k], &at); err != nil || at.IsZero() {
			t.Errorf("%s = %s: %v", k, raw[0][k], err)
		}
	}
	if string(raw[1]["out_trade_no"]) != `"A1"` || string(raw[1]["channel"]) != `"alipay"` {
		t.Fatalf("not newest first: %s then %s", raw[0]["out_trade_no"], raw[1]["out_trade_no"])
	}
}

func TestControlSteps(t *testing.T) {
	g, srv := newTestGateway(t)
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water", "", time.Time{})
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 300, "Tea", "", time.Time{})
	g.Ledger().Create(payments.WeChat, KindQR, "W2", 300, "Tea", "", time.Time{})
	steps := []struct {
		path   string
		code   int
		status TradeStatus
	}{
		{"/sandbox/trades/A1/scan", 200, StatusScanned},
		{"/sandbox/trades/A1/scan", 200, StatusScanned},
		{"/sandbox/trades/A1/pay", 200, StatusPaid},
		{"/sandbox/trades/A1/pay", 409, StatusPaid},
		{"/sandbox/trades/A1/cancel", 409, StatusPaid},
		{"/sandbox/trades/W1/pay", 200, StatusPaid}, // scans first
		{"/sandbox/trades/W2/cancel", 200, StatusClosed},
		{"/sandbox/trades/W2/cancel", 200, StatusClosed},
		{"/sandbox/trades/W2/scan", 409, StatusClosed},
		{"/sandbox/trades/W2/pay", 409, StatusClosed},
	}
	for _, s := range steps {
		var body struct {
			Status TradeStatus `json:"status"`
			Error  string      `json:"error"`
			Trade  *Trade      `json:"trade"`
		}
		code := call(t, "POST", srv.URL+s.path, "", &body)
		got := body.Status
		if code == 409 {
			if body.Error == "" || body.Trade == nil {
				t.Fatalf("%s: 409 without error and trade", s.path)
			}
			got = body.Trade.Status
		}
		if code != s.code || got != s.status {
			t.Fatalf("POST %s = %d %s, want %d %s", s.path, code, got, s.code, s.status)
		}
	}
	if tr, _ := g.Ledger().Get("W1"); tr.BuyerID == "" || tr.TradeNo == "" {
		t.Fatalf("pay did not scan first: %+v", tr)
	}
	var one Trade
	if code := call(t, "GET", srv.URL+"/sandbox/trades/W1", "", &one); code != 200 || one.Status != StatusPaid || one.AmountFen != 300 {
		t.Fatalf("GET one trade: %d %+v", code, one)
	}
	for _, p := range []string{"scan", "pay", "cancel"} {
		var e map[string]string
		if code := call(t, "POST", srv.URL+"/sandbox/trades/NOPE/"+p, "", &e); code != 404 || e["error"] == "" {
			t.Fatalf("%s unknown trade: %d %v", p, code, e)
		}
	}
	if code := call(t, "GET", srv.URL+"/sandbox/trades/NOPE", "", nil); code != 404 {
		t.Fatalf("GET unknown trade: %d", code)
	}
}

func TestControlFaults(t *testing.T) {
	g, srv := newTestGateway(t)
	var f Faults
	if code := call(t, "GET", srv.URL+"/sandbox/faults", "", &f); code != 200 || f != (Faults{}) {
		t.Fatalf("faults at start: %d %+v", code, f)
	}
	body := `{"latency_ms":5,"fail_next":1,"fail_percent":10,"seed":7,"timeout_next":1,"drop_notify":1,"duplicate_notify":2,
		"reorder_notify":1,"bad_signature_notify":1,"wrong_amount_notify":1,"pay_before_close":1}`
	if code := call(t, "POST", srv.URL+"/sandbox/faults", body, &f); code != 200 {
		t.Fatalf("POST faults: %d", code)
	}
	want := Faults{LatencyMS: 5, FailNext: 1, FailPercent: 10, Seed: 7, TimeoutNext: 1, DropNotify: 1, DuplicateNotify: 2,
		ReorderNotify: 1, BadSignatureNotify: 1, WrongAmountNotify: 1, PayBeforeClose: 1}
	if f != want || g.Faults() != want {
		t.Fatalf("faults %+v, gateway %+v; want %+v", f, g.Faults(), want)
	}
	call(t, "GET", srv.URL+"/sandbox/faults", "", &f)
	if f != want {
		t.Fatalf("GET faults %+v", f)
	}
	for _, bad := range []string{`{"no_such_fault":1}`, `{"fail_next":-1}`, `{"fail_percent":101}`, `{"fail_next":"two"}`, `[`} {
		var e map[string]string
		if code := call(t, "POST", srv.URL+"/sandbox/faults", bad, &e); code != 400 || e["error"] == "" {
			t.Fatalf("POST %s: %d %v", bad, code, e)
		}
	}
	if g.Faults() != want {
		t.Fatal("a refused fault set changed the faults")
	}
	// An empty body (or {}) switches everything off.
	if code := call(t, "POST", srv.URL+"/sandbox/faults", "", &f); code != 200 || g.Faults() != (Faults{}) {
		t.Fatalf("clear faults: %d %+v", code, g.Faults())
	}
}

func TestControlInfo(t *testing.T) {
	g, srv := newTestGateway(t)
	var info Info
	if code := call(t, "GET", srv.URL+"/sandbox/info", "", &info); code != 200 || info != g.Info() || info.BaseURL != srv.URL {
		t.Fatalf("info: %d %+v", code, info)
	}
}

// TestControlCancelIgnoresPayBeforeClose: the buyer cancelling is not the
// merchant's close, so the pay_before_close fault waits for the latter.
func TestControlCancelIgnoresPayBeforeClose(t *testing.T) {
	g, _ := newTestGateway(t)
	g.SetFaults(Faults{PayBeforeClose: 1})
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 100, "x", "", time.Time{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/sandbox/trades/W1/cancel", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	g.ServeHTTP(rec, req)
	if tr, _ := g.Ledger().Get("W1"); rec.Code != 200 || tr.Status != StatusClosed || g.Faults().PayBeforeClose != 1 {
		t.Fatalf("cancel: %d %s faults %+v", rec.Code, tr.Status, g.Faults())
	}
}
