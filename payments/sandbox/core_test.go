package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qrtill/payments"
)

var (
	testKeysOnce sync.Once
	testKeys     *Keys
)

// sharedKeys generates one key set per test binary: RSA generation is slow.
func sharedKeys(t testing.TB) *Keys {
	t.Helper()
	testKeysOnce.Do(func() {
		k, err := GenerateKeys()
		if err != nil {
			t.Fatal(err)
		}
		testKeys = k
	})
	c := *testKeys
	return &c
}

func TestLedgerLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := NewLedger(func() time.Time { return now })
	exp := now.Add(5 * time.Minute)
	tr, err := l.Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n", exp)
	if err != nil || tr.Status != StatusCreated {
		t.Fatalf("create: %+v %v", tr, err)
	}
	if again, err := l.Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n", exp); err != nil || again.OutTradeNo != "A1" {
		t.Fatalf("same create again: %v", err)
	}
	if _, err := l.Create(payments.Alipay, KindQR, "A1", 999, "Water", "", exp); !errors.Is(err, ErrTradeConflict) {
		t.Fatalf("conflicting create: %v", err)
	}
	tr, _ = l.Scan("A1")
	if tr.Status != StatusScanned || tr.BuyerLogon == "" || len(tr.TradeNo) != 28 {
		t.Fatalf("scan: %+v", tr)
	}
	tr, _ = l.Pay("A1")
	if tr.Status != StatusPaid || tr.PaidAt.IsZero() {
		t.Fatalf("pay: %+v", tr)
	}
	if _, err := l.Close("A1"); !errors.Is(err, ErrTradePaid) {
		t.Fatalf("close paid: %v", err)
	}
	if _, _, _, err := l.Refund("A1", "R1", 1251); !errors.Is(err, ErrRefundTooMuch) {
		t.Fatalf("over refund: %v", err)
	}
	tr, r, isNew, err := l.Refund("A1", "R1", 250)
	if err != nil || !isNew || tr.RefundedFen != 250 || tr.Status != StatusPaid || r.RefundID == "" {
		t.Fatalf("partial refund: %+v %v", tr, err)
	}
	if _, _, isNew, _ := l.Refund("A1", "R1", 250); isNew {
		t.Fatal("repeated refund number refunded again")
	}
	tr, _, _, _ = l.Refund("A1", "R2", 1000)
	if tr.Status != StatusRefunded || tr.RefundedFen != 1250 {
		t.Fatalf("full refund: %+v", tr)
	}

	// Expiry closes an unpaid trade lazily; it cannot be paid after.
	l.Create(payments.WeChat, KindQR, "W1", 500, "Tea", "", exp)
	now = exp
	if tr, _ := l.Get("W1"); tr.Status != StatusClosed {
		t.Fatalf("expired trade %s", tr.Status)
	}
	if _, err := l.Pay("W1"); !errors.Is(err, ErrTradeClosed) {
		t.Fatalf("pay expired: %v", err)
	}
	// Cancel: unpaid → close, paid → full refund.
	l.Create(payments.Alipay, KindCode, "C1", 300, "x", "", time.Time{})
	if _, action, _ := l.Cancel("C1"); action != "close" {
		t.Fatalf("cancel unpaid: %s", action)
	}
	l.Create(payments.Alipay, KindCode, "C2", 300, "x", "", time.Time{})
	l.Pay("C2")
	if tr, action, _ := l.Cancel("C2"); action != "refund" || tr.Status != StatusRefunded {
		t.Fatalf("cancel paid: %s %s", action, tr.Status)
	}
	if _, err := l.Scan("nope"); !errors.Is(err, ErrTradeNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if got := l.List(); len(got) != 4 {
		t.Fatalf("list %d", len(got))
	}
}

// testWire is a minimal channel plug-in: unsigned JSON notifications,
// acknowledged by HTTP 204.
type testWire struct{}

func (testWire) Channel() payments.Channel { return payments.WeChat }
func (testWire) Routes(*http.ServeMux)     {}
func (testWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	amount := t.AmountFen
	if f.AmountFen != 0 {
		amount = f.AmountFen
	}
	body, _ := json.Marshal(map[string]any{"no": t.OutTradeNo, "amount": amount, "bad": f.BadSignature})
	return Delivery{Header: http.Header{"Content-Type": {"application/json"}}, Body: body, NotifyID: "E-" + t.OutTradeNo}, nil
}
func (testWire) Acknowledged(status int, _ []byte) bool { return status == http.StatusNoContent }
func (testWire) RetrySchedule() []time.Duration {
	return []time.Duration{time.Second, time.Second, time.Second}
}

type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
	reject int // answer 500 to this many first
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	json.NewDecoder(r.Body).Decode(&m)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, m)
	if rc.reject > 0 || m["bad"] == true {
		rc.reject--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.bodies)
}

func newTestGateway(t *testing.T) (*Gateway, *httptest.Server) {
	t.Helper()
	g, err := New(Config{Keys: sharedKeys(t), TimeScale: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	g.Register(testWire{})
	srv := httptest.NewServer(g)
	g.cfg.BaseURL = srv.URL
	t.Cleanup(func() { srv.Close(); g.Close() })
	return g, srv
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNotificationDelivery(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tests := []struct {
		name      string
		faults    Faults
		reject    int
		wantPosts int
		wantAcked bool
	}{
		{"acknowledged at once", Faults{}, 0, 1, true},
		{"retried until acknowledged", Faults{}, 2, 3, true},
		{"gives up after the schedule", Faults{}, 99, 4, false},
		{"dropped", Faults{DropNotify: 1}, 0, 0, false},
		{"duplicated", Faults{DuplicateNotify: 1}, 0, 2, true},
		{"stale copy after the ack", Faults{ReorderNotify: 1}, 0, 2, true},
		{"bad signature first", Faults{BadSignatureNotify: 1}, 0, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newTestGateway(t)
			rc := &receiver{reject: tt.reject}
			notify := httptest.NewServer(rc)
			defer notify.Close()
			g.SetFaults(tt.faults)
			g.Ledger().Create(payments.WeChat, KindQR, "T1", 1250, "x", notify.URL, time.Time{})
			g.Ledger().Pay("T1")
			if tt.wantPosts > 0 {
				waitUntil(t, "deliveries", func() bool { return rc.count() >= tt.wantPosts })
			}
			g.Close() // waits for delivery to end
			tr, _ := g.Ledger().Get("T1")
			if rc.count() != tt.wantPosts || tr.Notified != tt.wantAcked {
				t.Fatalf("posts %d notified %v; want %d %v", rc.count(), tr.Notified, tt.wantPosts, tt.wantAcked)
			}
		})
	}
	t.Run("wrong amount", func(t *testing.T) {
		g, _ := newTestGateway(t)
		rc := &receiver{}
		notify := httptest.NewServer(rc)
		defer notify.Close()
		g.SetFaults(Faults{WrongAmountNotify: 1})
		g.Ledger().Create(payments.WeChat, KindQR, "T2", 1250, "x", notify.URL, time.Time{})
		g.Ledger().Pay("T2")
		waitUntil(t, "delivery", func() bool { return rc.count() >= 1 })
		if got := rc.bodies[0]["amount"]; got != float64(1251) {
			t.Fatalf("amount %v, want 1251", got)
		}
	})
}

func TestControlAPI(t *testing.T) {
	g, srv := newTestGateway(t)
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n/notify", time.Time{})
	post := func(path string) (int, map[string]any) {
		resp, err := http.Post(srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	resp, err := http.Get(srv.URL + "/sandbox/trades")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list) != 1 || list[0]["out_trade_no"] != "A1" || list[0]["channel"] != "alipay" ||
		list[0]["amount_fen"] != float64(1250) || list[0]["status"] != "created" || list[0]["notify_url"] != "http://n/notify" {
		t.Fatalf("trades = %v", list)
	}
	if code, m := post("/sandbox/trades/A1/scan"); code != 200 || m["status"] != "scanned" {
		t.Fatalf("scan: %d %v", code, m)
	}
	if code, m := post("/sandbox/trades/A1/pay"); code != 200 || m["status"] != "paid" {
		t.Fatalf("pay: %d %v", code, m)
	}
	if code, _ := post("/sandbox/trades/A1/cancel"); code != 409 {
		t.Fatalf("cancel paid: %d, want 409", code)
	}
	if code, _ := post("/sandbox/trades/NOPE/pay"); code != 404 {
		t.Fatalf("unknown: %d, want 404", code)
	}
	// Faults are switched at run time.
	resp, _ = http.Post(srv.URL+"/sandbox/faults", "application/json", strings.NewReader(`{"fail_next":1,"pay_before_close":1}`))
	resp.Body.Close()
	if f := g.Faults(); f.FailNext != 1 || f.PayBeforeClose != 1 {
		t.Fatalf("faults %+v", f)
	}
	resp, _ = http.Post(srv.URL+"/sandbox/faults", "application/json", strings.NewReader(`{"no_such_fault":1}`))
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("unknown fault accepted: %d", resp.StatusCode)
	}
	// pay_before_close: the close finds the trade paid.
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 100, "x", "", time.Time{})
	if _, err := g.Ledger().Close("W1"); !errors.Is(err, ErrTradePaid) {
		t.Fatalf("close with pay_before_close: %v", err)
	}
	rec := httptest.NewRecorder()
	if !g.InjectAPIFault(rec, httptest.NewRequest("GET", "/", nil)) || rec.Code != 503 {
		t.Fatalf("fail_next not applied: %d", rec.Code)
	}
	if g.InjectAPIFault(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) {
		t.Fatal("fail_next applied twice")
	}
}

func TestWalletPage(t *testing.T) {
	g, srv := newTestGateway(t)
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water", "", time.Time{})
	if g.QRContent("A1") != srv.URL+"/pay/A1" {
		t.Fatalf("QR content %s", g.QRContent("A1"))
	}
	resp, err := http.Get(g.QRContent("A1"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"¥12.50", "Water", "qrtill demo shop", "Pay", "viewport"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("wallet page lacks %q", want)
		}
	}
	if tr, _ := g.Ledger().Get("A1"); tr.Status != StatusScanned {
		t.Fatalf("opening the page did not scan: %s", tr.Status)
	}
	resp, err = http.PostForm(srv.URL+"/pay/A1/confirm", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if tr, _ := g.Ledger().Get("A1"); tr.Status != StatusPaid || !strings.Contains(string(page), "Paid") {
		t.Fatalf("Pay button: %s", tr.Status)
	}
	resp, _ = http.Get(srv.URL + "/pay/NOPE")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown trade page: %d", resp.StatusCode)
	}
}

func TestStateDir(t *testing.T) {
	dir := t.TempDir()
	g, err := New(Config{StateDir: dir, BaseURL: "http://127.0.0.1:8700", Keys: sharedKeys(t)})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	info, err := LoadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.BaseURL != "http://127.0.0.1:8700" || info.Alipay.GatewayURL != "http://127.0.0.1:8700/gateway.do" ||
		!strings.HasPrefix(info.WeChat.PublicKeyID, "PUB_KEY_ID_") || len(info.WeChat.APIv3Key) != 32 {
		t.Fatalf("info %+v", info)
	}
	for _, p := range []string{info.Alipay.AppPrivateKeyFile, info.Alipay.AlipayPublicKeyFile, info.WeChat.PrivateKeyFile, info.WeChat.PublicKeyFile} {
		if !filepath.IsAbs(p) {
			t.Errorf("%s is not absolute", p)
		}
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v", p, err, st.Mode().Perm())
		}
	}
	// A second start keeps the same keys and ids.
	k, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.AlipayAppID != info.Alipay.AppID || !k.WeChatPlatformKey.Equal(testKeys.WeChatPlatformKey) {
		t.Fatal("keys not kept across restarts")
	}
	var raw map[string]any
	data, _ := os.ReadFile(filepath.Join(dir, InfoFile))
	json.Unmarshal(data, &raw)
	if _, ok := raw["alipay"].(map[string]any)["app_private_key_file"]; !ok {
		t.Fatalf("sandbox.json shape: %s", data)
	}
}
