package app_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrtill/internal/metrics"
	"qrtill/internal/testkit"
	"qrtill/payments"
)

// The till's metrics count its order events and follow its payments in
// flight.
func TestTillMetrics(t *testing.T) {
	r := testkit.New(t, testkit.Options{})
	collectors, follow := r.App.TillMetrics()
	r.App.Go(follow)
	e := metrics.NewEndpoint("", collectors...)
	scrape := func() string {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	ctx := context.Background()
	o, err := r.Till.Checkout(ctx, lines, "ann", "t1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Till.Pay(ctx, o.Number, payments.Alipay); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := scrape()
		if strings.Contains(text, `qrtill_till_order_events_total{kind="qr_issued"} 1`) &&
			strings.Contains(text, "qrtill_till_payments_in_flight 1") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics after a QR was issued:\n%s", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
