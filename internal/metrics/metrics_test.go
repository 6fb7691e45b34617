package metrics_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"qrtill/internal/metrics"
)

func get(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

func TestAnEndpointWithATokenServesOnlyItsHolders(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "kiosk_sales_total", Help: "Sales."})
	c.Add(3)
	e := metrics.NewEndpoint("s3cret", c)
	for _, auth := range []string{"", "Bearer nope", "Bearer s3cret ", "Token s3cret"} {
		if code, body := get(t, e, auth); code != http.StatusUnauthorized || strings.Contains(body, "kiosk_") {
			t.Errorf("%q: %d %q, want 401", auth, code, body)
		}
	}
	code, body := get(t, e, "bearer s3cret")
	if code != http.StatusOK || !strings.Contains(body, "kiosk_sales_total 3") || !strings.Contains(body, "process_") {
		t.Fatalf("with the token: %d %s", code, body)
	}
}

func TestServeEndpointServesMetricsUntilTheContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- metrics.ServeEndpoint(ctx, ln, metrics.NewEndpoint("")) }()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for _, tc := range []struct {
		path string
		want int
	}{{"/metrics", 200}, {"/", 404}, {"/healthz", 404}} {
		resp, err := hc.Get("http://" + ln.Addr().String() + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || tc.want == 200 && !strings.Contains(string(body), "go_goroutines") {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeEndpoint did not return")
	}
}
