package relay_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// BenchmarkAccept: notifications accepted durably (fsync on, group-
// committed) per second, from parallel posters on loopback.
// Target ≥ 2,000/s.
//
//	go test -run '^$' -bench Accept ./payments/relay
func BenchmarkAccept(b *testing.B) {
	dir := b.TempDir()
	s, err := relay.Open(dir, tokens, relay.Options{RatePerIP: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	srv := newServer(s)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(srv.URL+"/n/shop-1/alipay", "application/x-www-form-urlencoded", strings.NewReader("notify_id=1&total_amount=1.00"))
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accepted/s")
}

// BenchmarkPostToApplied: from the provider's POST to the till's Handle
// having run, with 1 and 100 tills connected. Target p99 ≤ 50 ms.
//
//	go test -run '^$' -bench PostToApplied -benchtime 1x ./payments/relay
func BenchmarkPostToApplied(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("tills=%d", n), func(b *testing.B) {
			toks := map[string]string{}
			for i := range n {
				toks[fmt.Sprintf("till-%d", i)] = relay.HashToken(fmt.Sprintf("tok-%d", i))
			}
			s, err := relay.Open(b.TempDir(), toks, relay.Options{RatePerIP: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			srv := newServer(s)
			defer srv.Close()
			var mu sync.Mutex
			sentAt := map[string]time.Time{}
			var lat []time.Duration
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i := range n {
				c := relay.NewClient(relay.ClientConfig{URL: srv.URL, TillID: fmt.Sprintf("till-%d", i), Token: fmt.Sprintf("tok-%d", i),
					Handle: func(_ context.Context, d relay.Delivered) error {
						key := d.Request.Header.Get("Request-Id")
						mu.Lock()
						lat = append(lat, time.Since(sentAt[key]))
						mu.Unlock()
						return nil
					}})
				wg.Add(1)
				go func() { defer wg.Done(); c.Run(ctx) }()
			}
			time.Sleep(200 * time.Millisecond) // let the streams open
			const perTill = 20
			total := n * perTill
			for k := range perTill {
				for i := range n {
					key := fmt.Sprintf("%d-%d", i, k)
					mu.Lock()
					sentAt[key] = time.Now()
					mu.Unlock()
					req, _ := http.NewRequest("POST", fmt.Sprintf("%s/n/till-%d/wechat", srv.URL, i), strings.NewReader("{}"))
					req.Header.Set("Request-Id", key)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				mu.Lock()
				got := len(lat)
				mu.Unlock()
				if got >= total || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			if len(lat) < total {
				b.Fatalf("%d of %d delivered", len(lat), total)
			}
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
