package sandbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"qrtill/payments"
)

// faultAPI mounts an API route that behaves like a wire: the fault hook
// first, then 200 "ok".
func faultAPI(g *Gateway) string {
	g.mux.HandleFunc("POST /test/api", func(w http.ResponseWriter, r *http.Request) {
		if g.InjectAPIFault(w, r) {
			return
		}
		w.Write([]byte("ok"))
	})
	return "/test/api"
}

func apiCode(t *testing.T, client *http.Client, url string) (int, error) {
	t.Helper()
	resp, err := client.Post(url, "text/plain", nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestFaultFailNext(t *testing.T) {
	g, srv := newTestGateway(t)
	url := srv.URL + faultAPI(g)
	g.SetFaults(Faults{FailNext: 2})
	var codes []int
	for range 4 {
		code, err := apiCode(t, http.DefaultClient, url)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if codes[0] != 503 || codes[1] != 503 || codes[2] != 200 || codes[3] != 200 {
		t.Fatalf("codes %v, want 503 503 200 200", codes)
	}
}

func TestFaultFailPercentIsSeeded(t *testing.T) {
	draw := func(f Faults) []bool {
		g, _ := newTestGateway(t)
		g.SetFaults(f)
		out := make([]bool, 200)
		for i := range out {
			rec := httptest.NewRecorder()
			out[i] = g.InjectAPIFault(rec, httptest.NewRequest("POST", "/", nil))
			if out[i] != (rec.Code == 503) {
				t.Fatalf("answered %v but wrote %d", out[i], rec.Code)
			}
		}
		return out
	}
	count := func(bs []bool) (n int) {
		for _, b := range bs {
			if b {
				n++
			}
		}
		return n
	}
	a, b := draw(Faults{FailPercent: 30, Seed: 42}), draw(Faults{FailPercent: 30, Seed: 42})
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the same seed drew differently")
		}
	}
	if n := count(a); n < 30 || n > 90 {
		t.Fatalf("%d of 200 failed at 30%%", n)
	}
	if n := count(draw(Faults{FailPercent: 100})); n != 200 {
		t.Fatalf("100%%: %d of 200 failed", n)
	}
	if n := count(draw(Faults{})); n != 0 {
		t.Fatalf("0%%: %d of 200 failed", n)
	}
}

func TestFaultTimeout(t *testing.T) {
	checkLeaks(t)
	g, srv := newTestGateway(t)
	url := srv.URL + faultAPI(g)
	g.SetFaults(Faults{TimeoutNext: 1})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := apiCode(t, client, url); err == nil {
		t.Fatal("the timeout fault answered")
	}
	if code, err := apiCode(t, client, url); err != nil || code != 200 {
		t.Fatalf("after the timeout: %d %v", code, err)
	}

	// A hung request is released when the gateway closes.
	g.SetFaults(Faults{TimeoutNext: 1})
	done := make(chan bool)
	go func() {
		rec := httptest.NewRecorder()
		done <- g.InjectAPIFault(rec, httptest.NewRequest("POST", "/", nil).WithContext(context.Background()))
	}()
	waitUntil(t, "the request to hang", func() bool { return g.Faults().TimeoutNext == 0 })
	g.Close()
	select {
	case handled := <-done:
		if !handled {
			t.Fatal("a hung request went on to the wire")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a hung request")
	}
}

func TestFaultLatency(t *testing.T) {
	g, srv := newTestGateway(t)
	url := srv.URL + faultAPI(g)
	g.SetFaults(Faults{LatencyMS: 30})
	start := time.Now()
	if code, err := apiCode(t, http.DefaultClient, url); err != nil || code != 200 {
		t.Fatalf("%d %v", code, err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("answered in %v, before the latency", d)
	}
	// A client that gives up during the latency gets nothing.
	g.SetFaults(Faults{LatencyMS: 60_000})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	if !g.InjectAPIFault(rec, httptest.NewRequest("POST", "/", nil).WithContext(ctx)) {
		t.Fatal("an abandoned request went on to the wire")
	}
}

func TestFaultPayBeforeClose(t *testing.T) {
	g, _ := newTestGateway(t)
	l := g.Ledger()
	g.SetFaults(Faults{PayBeforeClose: 2})
	l.Create(payments.WeChat, KindQR, "W1", 100, "x", "", time.Time{})
	if tr, err := l.Close("W1"); !errors.Is(err, ErrTradePaid) || tr.Status != StatusPaid {
		t.Fatalf("close: %s %v, want paid, ErrTradePaid", tr.Status, err)
	}
	// Alipay's cancel then refunds what the buyer just paid.
	l.Create(payments.Alipay, KindQR, "A1", 100, "x", "", time.Time{})
	if tr, action, err := l.Cancel("A1"); err != nil || action != "refund" || tr.Status != StatusRefunded {
		t.Fatalf("cancel: %s %s %v", action, tr.Status, err)
	}
	// Used up: the next close closes.
	l.Create(payments.WeChat, KindQR, "W2", 100, "x", "", time.Time{})
	if tr, err := l.Close("W2"); err != nil || tr.Status != StatusClosed {
		t.Fatalf("close after the fault: %s %v", tr.Status, err)
	}
}
