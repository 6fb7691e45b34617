package relay_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// running is relay.Run in the background.
type running struct {
	relay, metrics string // the addresses it listens on
	stop           context.CancelFunc
	done           chan error
	mu             sync.Mutex
	logs           []string
}

// startRun starts relay.Run with cfg and waits until it listens (and
// serves metrics, when asked to).
func startRun(t *testing.T, cfg relay.RunConfig) *running {
	t.Helper()
	r := &running{done: make(chan error, 1)}
	addrs := make(chan [2]string, 2)
	cfg.Options.Log = lineLog(func(line string) {
		r.mu.Lock()
		r.logs = append(r.logs, line)
		r.mu.Unlock()
		for _, p := range []string{"listening on ", "metrics on "} {
			if rest, ok := strings.CutPrefix(line, p); ok {
				addrs <- [2]string{p, "http://" + strings.Fields(rest)[0]}
			}
		}
	})
	ctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go func() { r.done <- relay.Run(ctx, cfg) }()
	for r.relay == "" || cfg.MetricsAddr != "" && r.metrics == "" {
		select {
		case a := <-addrs:
			if a[0] == "metrics on " {
				r.metrics = a[1]
			} else {
				r.relay = a[1]
			}
		case err := <-r.done:
			t.Fatalf("Run: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not start")
		}
	}
	return r
}

// end stops Run and returns its error, within 10 s.
func (r *running) end(t *testing.T) error {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func tokensFile(t *testing.T, dir string) string {
	t.Helper()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("shop-1 "+relay.HashToken("tok-1")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return tokens
}

// `qrtill relay`: Run serves until its context ends, with a till's stream
// open, and shuts down promptly.
func TestRunServesUntilTheContextEnds(t *testing.T) {
	dir := t.TempDir()
	run := startRun(t, relay.RunConfig{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), TokensFile: tokensFile(t, dir)})
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Post(run.relay+"/n/shop-1/alipay", "application/x-www-form-urlencoded", strings.NewReader(note("alipay", "secret-body")))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(answer) != "success" {
		t.Fatalf("answer %q", answer)
	}

	var f till
	cctx, cstop := context.WithCancel(context.Background())
	c := relay.NewClient(relay.ClientConfig{URL: run.relay, TillID: "shop-1", Token: "tok-1", Handle: f.handle, HTTPClient: hc,
		Backoff: relay.Backoff{Min: time.Hour, Max: time.Hour}})
	cdone := make(chan error, 1)
	go func() { cdone <- c.Run(cctx) }()
	waitFor(t, "delivered through Run", func() bool { return f.count() == 1 && c.Connected() })

	if err := run.end(t); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	waitFor(t, "the till to see the relay go", func() bool { return !c.Connected() })
	cstop()
	<-cdone
	for _, line := range run.logs {
		if strings.Contains(line, "tok-1") || strings.Contains(line, "secret-body") {
			t.Errorf("log shows a token or a body: %s", line)
		}
	}
}

func TestRunRefusesALooseTokensFile(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("shop-1 "+relay.HashToken("t")+"\n"), 0o600)
	os.Chmod(tokens, 0o640)
	err := relay.Run(context.Background(), relay.RunConfig{Addr: "127.0.0.1:0", DataDir: dir, TokensFile: tokens})
	if err == nil || !strings.Contains(err.Error(), tokens) {
		t.Fatalf("Run with a group-readable tokens file: %v", err)
	}
}

// `qrtill relay --metrics-token-file F --metrics-addr A`: /metrics on the
// relay's address for the token's holders, and on A for anyone who can
// reach it; a metrics token file others can read is refused.
func TestRunServesMetricsWhereAsked(t *testing.T) {
	dir := t.TempDir()
	mtok := filepath.Join(dir, "metrics.token")
	os.WriteFile(mtok, []byte("m-secret\n"), 0o644)
	cfg := relay.RunConfig{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), TokensFile: tokensFile(t, dir),
		MetricsTokenFile: mtok, MetricsAddr: "127.0.0.1:0"}
	if err := relay.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), mtok) {
		t.Fatalf("Run with a world-readable metrics token file: %v", err)
	}
	os.Chmod(mtok, 0o600)
	run := startRun(t, cfg)
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for _, tc := range []struct {
		url, auth string
		want      int
	}{
		{run.relay + "/metrics", "", 401},
		{run.relay + "/metrics", "Bearer m-secret", 200},
		{run.metrics + "/metrics", "", 200},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || tc.want == 200 && !strings.Contains(string(body), "qrtill_relay_backlog") {
			t.Errorf("GET %s (%q): %d, want %d with the relay's metrics", tc.url, tc.auth, resp.StatusCode, tc.want)
		}
	}
	if err := run.end(t); err != nil {
		t.Fatal(err)
	}
}
