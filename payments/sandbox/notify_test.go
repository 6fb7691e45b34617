package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// payTest creates a paid testWire trade notifying rc, and returns the
// trade number.
func payTest(t *testing.T, g *Gateway, no, notifyURL string) {
	t.Helper()
	if _, err := g.Ledger().Create(testChannel, KindQR, no, 1250, "x", notifyURL, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Ledger().Pay(no); err != nil {
		t.Fatal(err)
	}
}

func TestNotificationDelivery(t *testing.T) {
	checkLeaks(t)
	tests := []struct {
		name      string
		faults    Faults
		reject    int
		wantPosts int
		wantAcked bool
		bad       []bool // which deliveries carry a broken signature
	}{
		{"acknowledged at once", Faults{}, 0, 1, true, []bool{false}},
		{"retried until acknowledged", Faults{}, 2, 3, true, nil},
		{"gives up after the schedule", Faults{}, 99, 4, false, nil},
		{"dropped", Faults{DropNotify: 1}, 0, 0, false, nil},
		{"duplicated", Faults{DuplicateNotify: 1}, 0, 2, true, nil},
		{"held back, stale copy after the ack", Faults{ReorderNotify: 1}, 0, 2, true, nil},
		{"bad signature first, then good", Faults{BadSignatureNotify: 1}, 0, 2, true, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newTestGateway(t)
			rc := &receiver{reject: tt.reject}
			notify := httptest.NewServer(rc)
			defer notify.Close()
			g.SetFaults(tt.faults)
			payTest(t, g, "T1", notify.URL)
			if tt.wantPosts > 0 {
				waitUntil(t, "deliveries", func() bool { return rc.count() >= tt.wantPosts })
			}
			g.Close() // waits for delivery to end
			tr, _ := g.Ledger().Get("T1")
			if rc.count() != tt.wantPosts || tr.Notified != tt.wantAcked || tr.NotifyAttempts != tt.wantPosts {
				t.Fatalf("posts %d attempts %d notified %v; want %d %v", rc.count(), tr.NotifyAttempts, tr.Notified, tt.wantPosts, tt.wantAcked)
			}
			for i, bad := range tt.bad {
				if rc.body(i)["bad"] != bad {
					t.Errorf("delivery %d bad signature = %v, want %v", i, rc.body(i)["bad"], bad)
				}
			}
			if f := g.Faults(); f != (Faults{}) {
				t.Errorf("fault not used up: %+v", f)
			}
		})
	}
}

func TestNotificationWrongAmount(t *testing.T) {
	g, _ := newTestGateway(t)
	rc := &receiver{amount: 1250} // the merchant checks the amount
	notify := httptest.NewServer(rc)
	defer notify.Close()
	g.SetFaults(Faults{WrongAmountNotify: 1})
	payTest(t, g, "T1", notify.URL)
	waitUntil(t, "the schedule to run out", func() bool { tr, _ := g.Ledger().Get("T1"); return tr.NotifyAttempts == 4 })
	g.Close()
	for i := range rc.count() {
		if got := rc.body(i)["amount"]; got != float64(1251) || rc.body(i)["bad"] != false {
			t.Fatalf("delivery %d: amount %v bad %v; want 1251, correctly signed", i, got, rc.body(i)["bad"])
		}
	}
	// Only that one notification: the next trade's is right.
	g2, _ := newTestGateway(t)
	g2.SetFaults(Faults{WrongAmountNotify: 1})
	payTest(t, g2, "T1", "")
	payTest(t, g2, "T2", notify.URL) // no notify_url above: nothing taken
	waitUntil(t, "T2 delivered", func() bool { tr, _ := g2.Ledger().Get("T2"); return tr.NotifyAttempts > 0 })
	if tr, _ := g2.Ledger().Get("T2"); tr.Notified {
		t.Fatal("the fault skipped a trade without notify_url and hit the wrong one… or not at all")
	}
}

// TestNotificationSchedule: the waits are the wire's schedule × TimeScale,
// and the request carries the wire's headers and body.
func TestNotificationSchedule(t *testing.T) {
	g, _ := newTestGateway(t)
	g.cfg.TimeScale = 0.5
	var mu sync.Mutex
	var waits []time.Duration
	g.notifier.after = func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		c := make(chan time.Time, 1)
		c <- time.Time{}
		return c
	}
	rc := &receiver{reject: 99}
	notify := httptest.NewServer(rc)
	defer notify.Close()
	payTest(t, g, "T1", notify.URL)
	waitUntil(t, "give up", func() bool { tr, _ := g.Ledger().Get("T1"); return tr.NotifyAttempts == 4 })
	g.Close()
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if h := rc.headers[0]; h.Get("X-Test") != "1" || h.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", h)
	}
}

// TestNotificationReorderHeldBack: the held-back notification waits one
// retry interval before its first delivery.
func TestNotificationReorderHeldBack(t *testing.T) {
	g, _ := newTestGateway(t)
	release := make(chan time.Time)
	g.notifier.after = func(time.Duration) <-chan time.Time { return release }
	rc := &receiver{}
	notify := httptest.NewServer(rc)
	defer notify.Close()
	g.SetFaults(Faults{ReorderNotify: 1})
	payTest(t, g, "T1", notify.URL)
	payTest(t, g, "T2", notify.URL) // a later payment overtakes it
	waitUntil(t, "T2 delivered", func() bool { return rc.count() == 1 })
	if rc.body(0)["no"] != "T2" {
		t.Fatalf("first delivery %v, want T2's", rc.body(0))
	}
	release <- time.Time{} // T1's first delivery
	waitUntil(t, "T1 delivered", func() bool { return rc.count() == 2 })
	release <- time.Time{} // T1's stale copy
	waitUntil(t, "stale copy", func() bool { return rc.count() == 3 })
	if rc.body(1)["no"] != "T1" || rc.body(2)["no"] != "T1" {
		t.Fatalf("deliveries %v %v", rc.body(1), rc.body(2))
	}
}

// TestNotificationCloseStops: Close ends retries at once, and Pay after
// Close delivers nothing.
func TestNotificationCloseStops(t *testing.T) {
	checkLeaks(t)
	g, _ := newTestGateway(t)
	g.cfg.TimeScale = 3600 // an hour between retries
	rc := &receiver{reject: 99}
	notify := httptest.NewServer(rc)
	defer notify.Close()
	payTest(t, g, "T1", notify.URL)
	waitUntil(t, "first delivery", func() bool { tr, _ := g.Ledger().Get("T1"); return tr.NotifyAttempts == 1 })
	start := time.Now()
	g.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	payTest(t, g, "T2", notify.URL)
	g.Close()
	if rc.count() != 1 {
		t.Fatalf("%d deliveries after Close", rc.count()-1)
	}
}

// TestNotificationCloseAbortsHungReceiver: a merchant that never answers
// holds Close for the grace period only.
func TestNotificationCloseAbortsHungReceiver(t *testing.T) {
	checkLeaks(t)
	g, _ := newTestGateway(t)
	g.notifier.grace = 20 * time.Millisecond
	arrived := make(chan struct{}, 1)
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a hang-up only after the body
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer notify.Close()
	payTest(t, g, "T1", notify.URL)
	<-arrived
	done := make(chan struct{})
	go func() { g.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a receiver that never answers")
	}
	if tr, _ := g.Ledger().Get("T1"); tr.Notified || tr.NotifyAttempts != 1 {
		t.Fatalf("attempts %d notified %v", tr.NotifyAttempts, tr.Notified)
	}
}

// TestNotificationSkipped: no notify_url, or no wire for the channel,
// means no delivery.
func TestNotificationSkipped(t *testing.T) {
	g, _ := newTestGateway(t)
	rc := &receiver{}
	notify := httptest.NewServer(rc)
	defer notify.Close()
	g.SetFaults(Faults{DuplicateNotify: 1})
	payTest(t, g, "T1", "")
	g.Ledger().Create("nowire", KindQR, "T2", 100, "x", notify.URL, time.Time{})
	g.Ledger().Pay("T2")
	g.Close()
	if rc.count() != 0 {
		t.Fatalf("%d deliveries", rc.count())
	}
	if g.Faults().DuplicateNotify != 1 {
		t.Fatal("a fault was used up by a trade that sends no notification")
	}
}
