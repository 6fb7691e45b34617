package tui_test

import (
	"context"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
)

var oneLine = []pos.Line{{SKU: "W", NameEN: "Water", NameZH: "水", UnitPrice: 200, Quantity: 1, Total: 200}}

// BenchmarkPayView measures the pay screen's View(): the QR is rendered
// once per attempt and cached, so a frame only assembles strings.
// Target ≤ 200 µs.
func BenchmarkPayView(b *testing.B) {
	r := newRig(b)
	o, err := r.till.Checkout(context.Background(), oneLine, "ann", "t1")
	if err != nil {
		b.Fatal(err)
	}
	o, err = r.till.Pay(context.Background(), o.Number, payments.WeChat)
	if err != nil {
		b.Fatal(err)
	}
	m := r.model(tui.English, 120, 40)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tui.ShowOrderMsg{Order: o})
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// paidLatency pays n orders at the sandbox and measures how long each
// takes to reach the till's update stream (what the pane shows) as paid.
func paidLatency(b *testing.B, opt rigOptions, n int) []time.Duration {
	r := newRigWith(b, opt)
	updates, stop := r.till.Subscribe()
	defer stop()
	var out []time.Duration
	for i := 0; i < n; i++ {
		o, err := r.till.Checkout(context.Background(), oneLine, "ann", "t1")
		if err != nil {
			b.Fatal(err)
		}
		if o, err = r.till.Pay(context.Background(), o.Number, payments.Alipay); err != nil {
			b.Fatal(err)
		}
		// A buyer takes a few seconds to scan and confirm: pay 2 s after
		// the QR, spread evenly over one 1.5 s polling cycle.
		time.Sleep(2*time.Second + time.Duration(i%6)*250*time.Millisecond)
		start := time.Now()
		if _, err := r.gw.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
			b.Fatal(err)
		}
		for u := range updates {
			if u.Order.Number == o.Number && u.Order.Status == pos.OrderPaid {
				break
			}
		}
		out = append(out, time.Since(start))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func pct(d []time.Duration, p float64) float64 {
	return float64(d[int(float64(len(d)-1)*p)].Microseconds()) / 1000
}

// BenchmarkPaidByNotification: sandbox "paid" → PAID on the update
// stream through the notification path. Target p99 ≤ 50 ms.
func BenchmarkPaidByNotification(b *testing.B) {
	for b.Loop() {
		d := paidLatency(b, rigOptions{notifying: true}, 20)
		b.ReportMetric(pct(d, 0.5), "p50-ms")
		b.ReportMetric(pct(d, 0.99), "p99-ms")
	}
}

// BenchmarkPaidByPolling: the same with no notifications, polling alone
// on the default schedule. Target median ≤ 1 s.
func BenchmarkPaidByPolling(b *testing.B) {
	for b.Loop() {
		d := paidLatency(b, rigOptions{notifying: false}, 12)
		b.ReportMetric(pct(d, 0.5), "p50-ms")
		b.ReportMetric(pct(d, 0.99), "p99-ms")
	}
}

// counting counts a provider's queries.
type counting struct {
	payments.Provider
	n *atomic.Int64
}

func (c counting) Query(ctx context.Context, no string) (payments.TradeStatus, error) {
	c.n.Add(1)
	return c.Provider.Query(ctx, no)
}

// TestQueriesPerAttempt waits out a two-minute payment (time-scaled by
// 1/100) and counts the queries: ≤ 45 polling alone, ≤ 15 with
// notifications.
func TestQueriesPerAttempt(t *testing.T) {
	for _, tc := range []struct {
		notifying bool
		budget    int64
	}{{false, 45}, {true, 15}} {
		var n atomic.Int64
		const scale = 0.01
		r := newRigWith(t, rigOptions{notifying: tc.notifying, poll: pos.DefaultPollPolicy().Scaled(scale),
			wrap: func(p payments.Provider) payments.Provider { return counting{p, &n} }})
		o, _ := r.till.Checkout(context.Background(), oneLine, "ann", "t1")
		o, err := r.till.Pay(context.Background(), o.Number, payments.WeChat)
		if err != nil {
			t.Fatal(err)
		}
		start := o.Attempts[0].CreatedAt
		time.Sleep(time.Until(start.Add(time.Duration(float64(2*time.Minute) * scale))))
		got := n.Load()
		if _, err := r.gw.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
			t.Fatal(err)
		}
		t.Logf("notifying=%v: %d queries in a (scaled) 2-minute wait", tc.notifying, got)
		if got > tc.budget || got == 0 {
			t.Errorf("notifying=%v: %d queries in 2 minutes, budget %d", tc.notifying, got, tc.budget)
		}
	}
}

// BenchmarkScanToScanned: an Alipay QR is scanned at the sandbox (at a
// spread of moments within a poll cycle) with notifications up, and the
// till's update stream shows it scanned. Alipay notifies payments, not
// scans, so this is the quick first-scan polling. Target median ≤ 3 s.
//
//	go test -run '^$' -bench ScanToScanned -benchtime 1x ./tui
func BenchmarkScanToScanned(b *testing.B) {
	for b.Loop() {
		r := newRigWith(b, rigOptions{notifying: true})
		updates, stop := r.till.Subscribe()
		var d []time.Duration
		for i := 0; i < 20; i++ {
			o, err := r.till.Checkout(context.Background(), oneLine, "ann", "t1")
			if err != nil {
				b.Fatal(err)
			}
			if o, err = r.till.Pay(context.Background(), o.Number, payments.Alipay); err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Duration(i%10) * 250 * time.Millisecond) // spread over one 2.5 s cycle
			start := time.Now()
			if _, err := r.gw.Ledger().Scan(o.Attempts[0].OutTradeNo); err != nil {
				b.Fatal(err)
			}
			for u := range updates {
				if u.Order.Number == o.Number && len(u.Order.Attempts) > 0 && u.Order.Attempts[0].Status == pos.AttemptScanned {
					break
				}
			}
			d = append(d, time.Since(start))
			if _, err := r.till.Cancel(context.Background(), o.Number); err != nil {
				b.Fatal(err)
			}
		}
		stop()
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		b.ReportMetric(pct(d, 0.5), "p50-ms")
		b.ReportMetric(pct(d, 0.99), "max-ms")
	}
}
