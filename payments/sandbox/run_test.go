package sandbox

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	checkLeaks(t)
	dir := t.TempDir()
	if err := sharedKeys(t).Save(dir); err != nil { // spare Run the key generation
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, "127.0.0.1:0", dir, 0.001, slog.New(slog.NewTextHandler(t.Output(), nil))) }()
	var info Info
	waitUntil(t, "sandbox.json", func() bool {
		var err error
		info, err = LoadInfo(dir)
		return err == nil
	})
	resp, err := http.Get(info.BaseURL + "/sandbox/trades")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /sandbox/trades: %d", resp.StatusCode)
	}
	for _, path := range []string{"/gateway.do", "/v3/pay/transactions/native"} {
		resp, err := http.Post(info.BaseURL+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d, the wire is not registered", path, resp.StatusCode)
		}
	}
	if info.Alipay.AppID != sharedKeys(t).AlipayAppID {
		t.Fatal("Run made new keys instead of loading the state dir's")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}
