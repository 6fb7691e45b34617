package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qrtill/payments"
)

var (
	testKeysOnce sync.Once
	testKeys     *Keys
	testKeysErr  error
)

// sharedKeys returns a copy of one key set generated per test binary:
// RSA generation is slow.
func sharedKeys(t testing.TB) *Keys {
	t.Helper()
	testKeysOnce.Do(func() { testKeys, testKeysErr = GenerateKeys() })
	if testKeysErr != nil {
		t.Fatal(testKeysErr)
	}
	c := *testKeys
	return &c
}

// testChannel is the channel of testWire, so the real Alipay and WeChat
// wires stay registered beside it.
const testChannel payments.Channel = "test"

// testWire is a minimal channel plug-in: unsigned JSON notifications,
// acknowledged by HTTP 204, retried three times a second apart.
type testWire struct{}

func (testWire) Channel() payments.Channel { return testChannel }
func (testWire) Routes(*http.ServeMux)     {}
func (testWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	amount := t.AmountFen
	if f.AmountFen != 0 {
		amount = f.AmountFen
	}
	body, _ := json.Marshal(map[string]any{"no": t.OutTradeNo, "amount": amount, "bad": f.BadSignature})
	return Delivery{Header: http.Header{"Content-Type": {"application/json"}, "X-Test": {"1"}}, Body: body, NotifyID: "E-" + t.OutTradeNo}, nil
}
func (testWire) RefundNotification(t Trade, r Refund) (Delivery, error) {
	if r.Status == RefundProcessing {
		return Delivery{}, errNoNotification
	}
	body, _ := json.Marshal(map[string]any{"no": t.OutTradeNo, "refund": r.RefundNo, "amount": r.AmountFen, "status": r.Status})
	return Delivery{Header: http.Header{"Content-Type": {"application/json"}}, Body: body, NotifyID: "R-" + r.RefundNo}, nil
}
func (testWire) Acknowledged(status int, _ []byte) bool { return status == http.StatusNoContent }
func (testWire) AnswerDeadline() time.Duration          { return 5 * time.Second }
func (testWire) RetrySchedule() []time.Duration {
	return []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
}

// receiver is a merchant's notify endpoint: it records every delivery and
// acknowledges (204) a good one; it answers 500 to the first reject
// deliveries, to a bad signature, and to an amount other than amount
// (when amount is set).
type receiver struct {
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	reject  int
	amount  float64
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	json.NewDecoder(r.Body).Decode(&m)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, m)
	rc.headers = append(rc.headers, r.Header.Clone())
	if rc.reject > 0 || m["bad"] == true || (rc.amount != 0 && m["amount"] != rc.amount) {
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

func (rc *receiver) body(i int) map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bodies[i]
}

// newTestGateway runs a gateway (shared keys, no state dir, retries
// compressed 1000×) with the real wires and testWire, on an httptest
// server closed when the test ends.
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

// waitUntil polls cond until it holds, failing the test after 5 s.
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

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
}

// checkLeaks fails the test if it leaves goroutines behind, checked after
// every cleanup registered later (servers, gateways) has run.
func checkLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}
