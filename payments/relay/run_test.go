package relay_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// `qrtill relay`: Run serves until its context ends, with a till's stream
// open, and shuts down promptly.
func TestRunServesUntilTheContextEnds(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("shop-1 "+relay.HashToken("tok-1")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	logs := make(chan string, 100)
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		if rest, ok := strings.CutPrefix(line, "relay: listening on "); ok {
			addrc <- strings.Fields(rest)[0]
		}
		select {
		case logs <- line:
		default:
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- relay.Run(ctx, relay.RunConfig{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), TokensFile: tokens,
			Options: relay.Options{Logf: logf}})
	}()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not start")
	}

	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Post(base+"/n/shop-1/alipay", "application/x-www-form-urlencoded", strings.NewReader(note("alipay", "secret-body")))
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
	c := relay.NewClient(relay.ClientConfig{URL: base, TillID: "shop-1", Token: "tok-1", Handle: f.handle, HTTPClient: hc,
		Backoff: relay.Backoff{Min: time.Hour, Max: time.Hour}})
	cdone := make(chan error, 1)
	go func() { cdone <- c.Run(cctx) }()
	waitFor(t, "delivered through Run", func() bool { return f.count() == 1 && c.Connected() })

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return with a stream open")
	}
	waitFor(t, "the till to see the relay go", func() bool { return !c.Connected() })
	cstop()
	<-cdone
	close(logs)
	for line := range logs {
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
