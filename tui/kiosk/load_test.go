package kiosk_test

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

// BenchmarkSessions is a bounded loopback load test: N kiosk sessions on
// one till server, each typing a barcode one key at a time. It reports
// the server-side heap per session and the keystroke-to-frame latency
// (from a key written to the next screen bytes arriving). Targets: 100
// sessions at ≤ 8 MB each, p99 ≤ 50 ms.
//
//	go test -run '^$' -bench Sessions -benchtime 1x ./tui/kiosk
func BenchmarkSessions(b *testing.B) {
	for _, n := range []int{1, 20, 100} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			for b.Loop() {
				loadRun(b, n)
			}
		})
	}
}

func loadRun(b *testing.B, n int) {
	r := newKioskRigTB(b)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	terms := make([]*terminal, n)
	for i := range terms {
		terms[i] = r.connectTB(b, r.ann)
		terms[i].waitScreen("Scan or type")
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perSession := float64(after.HeapInuse-before.HeapInuse) / float64(n) / (1 << 20)

	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second)
	for _, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range "6921168509256" {
				if time.Now().After(deadline) {
					return
				}
				mark := tm.rawLen()
				start := time.Now()
				tm.send(string(c))
				for tm.rawLen() == mark && time.Now().Before(deadline) {
					time.Sleep(200 * time.Microsecond)
				}
				mu.Lock()
				lat = append(lat, time.Since(start))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(perSession, "MB/session")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
