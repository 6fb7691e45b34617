package relay_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// The relay's performance targets (README, "Relay performance"), over
// loopback, bounded in count and time. Each benchmark also measures the
// fsync rate of the same disk in the same run, since that is what a
// durable write is made of, and reports it beside its figures.
//
//	go test -run '^$' -bench . -benchtime 3000x ./payments/relay/

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

// diskFsyncRate measures fdatasyncs a second of 4 KiB writes to a small
// file in dir: at most n of them, for at most a second.
func diskFsyncRate(b *testing.B, dir string, n int) float64 {
	b.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "fsync-probe"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	start := time.Now()
	done := 0
	for done < n && time.Since(start) < time.Second {
		page[0]++
		if _, err := f.WriteAt(page, int64(done%16)*4096); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		done++
	}
	return float64(done) / time.Since(start).Seconds()
}

// fsyncProbe fsyncs a small file in dir every 10 ms while a benchmark
// runs, so that a latency spike can be told from a disk stall: stop
// returns the worst fsync seen, in ms.
func fsyncProbe(b *testing.B, dir string) (stop func() float64) {
	f, err := os.CreateTemp(dir, "fsync-probe")
	if err != nil {
		b.Fatal(err)
	}
	done, worst := make(chan struct{}), make(chan time.Duration, 1)
	go func() {
		var w time.Duration
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				worst <- w
				return
			case <-tick.C:
			}
			start := time.Now()
			f.WriteAt([]byte{byte(start.UnixNano())}, 0)
			f.Sync()
			w = max(w, time.Since(start))
		}
	}()
	return func() float64 {
		close(done)
		w := <-worst
		f.Close()
		os.Remove(f.Name())
		return float64(w) / 1e6
	}
}

// BenchmarkDiskFsync is the reference: 4 KiB write + fsync a second on
// the disk the benchmarks' relay.db is on.
func BenchmarkDiskFsync(b *testing.B) {
	dir := b.TempDir()
	b.ResetTimer()
	b.ReportMetric(diskFsyncRate(b, dir, b.N), "fsync/s")
}

// benchRelay serves a relay on a real loopback listener (Serve: with the
// per-source connection limit and timeouts) with the per-source rate
// limit lifted, and returns its base URL and store.
func benchRelay(b *testing.B, tills int) (string, *relay.BoltStore) {
	b.Helper()
	dir := b.TempDir()
	st, err := relay.OpenBoltStore(dir, relay.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := relay.NewServer(st, relay.Options{Tokens: benchTokens(tills), Rate: 1e9, Burst: 1 << 30, PruneEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	return "http://" + serveLoopback(b, s), st
}

// clientFrom is an HTTP client whose connections come from 127.0.y.x.
func clientFrom(b *testing.B, y, x int, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(y), byte(x))}}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
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

// BenchmarkAccept: notifications accepted durably (synced to disk) per
// second, and how many each fsync carried, with 1, 10, 50 and 200
// concurrent posters, each from its own loopback address (127.0.0.x) and
// waiting for its answer before posting again. Targets at 50 posters:
// ≥ 2,000/s and ≥ 4 per fsync; throughput follows concurrency.
//
//	go test -run '^$' -bench Accept -benchtime 5000x ./payments/relay/
func BenchmarkAccept(b *testing.B) {
	for _, n := range []int{1, 10, 50, 200} {
		b.Run(fmt.Sprintf("posters=%d", n), func(b *testing.B) { benchAccept(b, n) })
	}
}

func benchAccept(b *testing.B, posters int) {
	base, st := benchRelay(b, 1)
	fsyncRate := diskFsyncRate(b, filepath.Dir(st.Path()), 500)
	body := alipayBody("")
	clients := make([]*http.Client, posters)
	for i := range clients {
		clients[i] = clientFrom(b, 0, 2+i, 1)
	}
	before := st.CommitStats()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for _, hc := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := benchPost(hc, base+"/n/till-000/alipay", body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	after := st.CommitStats()
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "accepted/s")
	b.ReportMetric(float64(after.Ops-before.Ops)/float64(after.Fsyncs-before.Fsyncs), "notes/fsync")
	b.ReportMetric(float64(after.Ops-before.Ops)/float64(after.Commits-before.Commits), "notes/commit")
	b.ReportMetric(fsyncRate, "disk-fsync/s")
	b.ReportMetric(rate/fsyncRate, "accepted-per-disk-fsync")
}

// BenchmarkEndToEnd: latency from the provider's POST to the till's
// Handle having run, with 1 and with 100 tills connected (and acking),
// notifications paced at endToEndRate a second across the tills from
// 10 loopback addresses. Reports p50, p99 and max in ms beside the
// disk's fsync rate. Target: p99 ≤ 50 ms.
//
//	go test -run '^$' -bench EndToEnd -benchtime 3000x ./payments/relay/
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("tills=%d", n), func(b *testing.B) { benchEndToEnd(b, n) })
	}
}

// endToEndRate is far above a real shop's rate (a few a minute per till).
const endToEndRate = 500

func benchEndToEnd(b *testing.B, tills int) {
	base, st := benchRelay(b, tills)
	fsyncRate := diskFsyncRate(b, filepath.Dir(st.Path()), 500)
	lat := newLatencies(b.N)
	stop := connectTills(b, base, tills, lat.handle)
	defer stop()
	before := st.CommitStats()

	posters := make([]*http.Client, 10)
	for i := range posters {
		posters[i] = clientFrom(b, 0, 2+i, 32)
	}
	body := alipayBody("")
	probe := fsyncProbe(b, filepath.Dir(st.Path()))
	sem := make(chan struct{}, 256)
	interval := time.Second / endToEndRate
	b.ResetTimer()
	next := time.Now()
	for i := range b.N {
		time.Sleep(time.Until(next))
		next = next.Add(interval)
		sem <- struct{}{}
		url := fmt.Sprintf("%s/n/till-%03d/alipay", base, i%tills)
		hc := posters[i%len(posters)]
		go func() {
			defer func() { <-sem }()
			if err := benchPost(hc, url, body+"&bench_sent="+strconv.FormatInt(time.Now().UnixNano(), 10)); err != nil {
				b.Error(err)
			}
		}()
	}
	lat.wait(b, 60*time.Second)
	b.StopTimer()
	after := st.CommitStats()
	worstFsync := probe()
	for range cap(sem) {
		sem <- struct{}{}
	}
	p50, p99, worst := lat.quantiles()
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(worst, "max-ms")
	b.ReportMetric(float64(after.Fsyncs-before.Fsyncs)/float64(b.N), "fsyncs/note")
	b.ReportMetric(fsyncRate, "disk-fsync/s")
	b.ReportMetric(worstFsync, "disk-fsync-max-ms")
}

// latencies collects POST → Handle latencies from the bench_sent stamp.
type latencies struct {
	mu  sync.Mutex
	n   int
	got []time.Duration
	all chan struct{}
}

func newLatencies(n int) *latencies {
	return &latencies{n: n, got: make([]time.Duration, 0, n), all: make(chan struct{})}
}

func (l *latencies) handle(_ context.Context, d relay.Delivered) error {
	now := time.Now()
	_, sent, _ := strings.Cut(string(d.Body), "&bench_sent=")
	ns, err := strconv.ParseInt(sent, 10, 64)
	if err != nil {
		return relay.Permanent(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, now.Sub(time.Unix(0, ns)))
	if len(l.got) == l.n {
		close(l.all)
	}
	return nil
}

func (l *latencies) wait(b *testing.B, limit time.Duration) {
	select {
	case <-l.all:
	case <-time.After(limit):
		l.mu.Lock()
		defer l.mu.Unlock()
		b.Fatalf("only %d of %d delivered", len(l.got), l.n)
	}
}

// quantiles returns p50, p99 and max in milliseconds.
func (l *latencies) quantiles() (p50, p99, worst float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(l.got)
	q := func(p float64) float64 { return float64(l.got[min(len(l.got)-1, int(p*float64(len(l.got))))]) / 1e6 }
	return q(0.50), q(0.99), float64(l.got[len(l.got)-1]) / 1e6
}

// connectTills runs a relay client for each of n tills, each from its
// own address (127.0.1.x), waits until all are connected and returns
// how to stop them.
func connectTills(b *testing.B, base string, n int, handle func(context.Context, relay.Delivered) error) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	clients := make([]*relay.Client, n)
	for i := range n {
		clients[i] = relay.NewClient(relay.ClientConfig{URL: base, TillID: fmt.Sprintf("till-%03d", i),
			Token: fmt.Sprintf("tok-%03d", i), Handle: handle, HTTPClient: clientFrom(b, 1, 1+i, 4)})
		wg.Go(func() { clients[i].Run(ctx) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for slices.ContainsFunc(clients, func(c *relay.Client) bool { return !c.Connected() }) {
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			b.Fatal("tills did not connect")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() { cancel(); wg.Wait() }
}
