package kiosk_test

import (
	"testing"
	"time"
)

// BenchmarkIdleBytes measures what a kiosk session sends over SSH while
// nothing happens: on the sale screen (target 0 bytes/s) and on the pay
// screen with a QR waiting for its scan (target ≤ 300 bytes/s: the
// clock, once a second). Bounded: 10 s a screen.
//
//	go test -run '^$' -bench IdleBytes -benchtime 1x ./tui/kiosk
func BenchmarkIdleBytes(b *testing.B) {
	for b.Loop() {
		r := newKioskRigTB(b)
		tm := r.connectTB(b, r.ann)
		tm.waitScreen("Scan or type")
		b.ReportMetric(idleRate(tm, 10*time.Second), "sale-B/s")
		tm.send("6921168509256\r")
		tm.waitScreen("Total")
		tm.send(keyF12)
		tm.waitScreen("Choose how")
		tm.send("1")
		tm.waitScreen("Waiting for scan")
		b.ReportMetric(idleRate(tm, 10*time.Second), "pay-B/s")
	}
}

// idleRate lets the screen settle, then counts the bytes that arrive
// over d, per second.
func idleRate(tm *terminal, d time.Duration) float64 {
	time.Sleep(time.Second)
	start := tm.rawLen()
	time.Sleep(d)
	return float64(tm.rawLen()-start) / d.Seconds()
}
