package relay_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// benchTokens makes n tills, till-000 … with tokens tok-000 ….
func benchTokens(n int) relay.Tokens {
	t := relay.Tokens{}
	for i := range n {
		t[fmt.Sprintf("till-%03d", i)] = relay.HashToken(fmt.Sprintf("tok-%03d", i))
	}
	return t
}

// alipayBody is the size and shape of a real Alipay notification (~1 KB).
func alipayBody(extra string) string {
	v := url.Values{}
	for _, kv := range [][2]string{
		{"gmt_create", "2026-05-01 09:00:00"}, {"charset", "utf-8"}, {"seller_email", "shop@example.com"},
		{"subject", "矿泉水 x2"}, {"buyer_id", "2088102177846880"}, {"invoice_amount", "4.00"},
		{"notify_id", "2026050100222090000048801234567890"}, {"fund_bill_list", `[{"amount":"4.00","fundChannel":"ALIPAYACCOUNT"}]`},
		{"notify_type", "trade_status_sync"}, {"trade_status", "TRADE_SUCCESS"}, {"receipt_amount", "4.00"},
		{"app_id", "2021000000000000"}, {"buyer_pay_amount", "4.00"}, {"sign_type", "RSA2"}, {"seller_id", "2088102177846880"},
		{"gmt_payment", "2026-05-01 09:00:05"}, {"notify_time", "2026-05-01 09:00:06"}, {"version", "1.0"},
		{"out_trade_no", "20260501-0001-A1"}, {"total_amount", "4.00"}, {"trade_no", "2026050122001446880501234567"},
		{"auth_app_id", "2021000000000000"}, {"buyer_logon_id", "159****5620"}, {"point_amount", "0.00"},
		{"sign", strings.Repeat("Zm9yZ2Vk+/", 34) + "=="},
	} {
		v.Set(kv[0], kv[1])
	}
	return v.Encode() + extra
}

func benchRelay(b *testing.B, tills int) (*relay.Server, *httptest.Server, *http.Client) {
	s, err := relay.Open(b.TempDir(), relay.Options{Tokens: benchTokens(tills), Rate: 1e9, Burst: 1 << 30, PruneEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	tr := &http.Transport{MaxIdleConnsPerHost: 1024}
	b.Cleanup(func() {
		tr.CloseIdleConnections()
		s.Close()
		srv.Close()
	})
	return s, srv, &http.Client{Transport: tr}
}

func benchPost(hc *http.Client, url, body string) error {
	resp, err := hc.Post(url, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("relay answered %s", resp.Status)
	}
	return nil
}

// BenchmarkAccept: notifications accepted durably (synced to disk,
// group-committed with bbolt Batch) per second, from 64 parallel posters
// over loopback. Target ≥ 2,000/s.
//
//	go test -run '^$' -bench Accept -benchtime 3000x ./payments/relay/
func BenchmarkAccept(b *testing.B) {
	_, srv, hc := benchRelay(b, 1)
	body := alipayBody("")
	b.SetParallelism(32) // × GOMAXPROCS posters
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := benchPost(hc, srv.URL+"/n/till-000/alipay", body); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accepted/s")
}

// BenchmarkEndToEnd: latency from the provider's POST to the till's
// Handle having run, with 1 and with 100 tills connected, notifications
// paced at endToEndRate a second across the tills. Reports p50, p99 and
// max in ms. Target p99 ≤ 50 ms.
//
//	go test -run '^$' -bench EndToEnd -benchtime 2000x ./payments/relay/
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("tills=%d", n), func(b *testing.B) { benchEndToEnd(b, n) })
	}
}

// endToEndRate is far above a real shop's rate (a few a minute per till).
const endToEndRate = 500

func benchEndToEnd(b *testing.B, tills int) {
	_, srv, hc := benchRelay(b, tills)
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	all := make(chan struct{})
	handle := func(_ context.Context, d relay.Delivered) error {
		now := time.Now()
		_, sent, _ := strings.Cut(string(d.Body), "&bench_sent=")
		ns, err := strconv.ParseInt(sent, 10, 64)
		if err != nil {
			return relay.Permanent(err)
		}
		mu.Lock()
		defer mu.Unlock()
		lat = append(lat, now.Sub(time.Unix(0, ns)))
		if len(lat) == b.N {
			close(all)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	clients := make([]*relay.Client, tills)
	for i := range tills {
		clients[i] = relay.NewClient(relay.ClientConfig{URL: srv.URL, TillID: fmt.Sprintf("till-%03d", i),
			Token: fmt.Sprintf("tok-%03d", i), Handle: handle, HTTPClient: hc})
		wg.Go(func() { clients[i].Run(ctx) })
	}
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for slices.ContainsFunc(clients, func(c *relay.Client) bool { return !c.Connected() }) {
		if time.Now().After(deadline) {
			b.Fatal("tills did not connect")
		}
		time.Sleep(5 * time.Millisecond)
	}

	body := alipayBody("")
	sem := make(chan struct{}, 256)
	interval := time.Second / endToEndRate
	b.ResetTimer()
	next := time.Now()
	for i := range b.N {
		time.Sleep(time.Until(next))
		next = next.Add(interval)
		sem <- struct{}{}
		url := fmt.Sprintf("%s/n/till-%03d/alipay", srv.URL, i%tills)
		go func() {
			defer func() { <-sem }()
			if err := benchPost(hc, url, body+"&bench_sent="+strconv.FormatInt(time.Now().UnixNano(), 10)); err != nil {
				b.Error(err)
			}
		}()
	}
	select {
	case <-all:
	case <-time.After(60 * time.Second):
		b.Fatalf("only %d of %d delivered", len(lat), b.N)
	}
	b.StopTimer()
	for range cap(sem) {
		sem <- struct{}{}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
}
