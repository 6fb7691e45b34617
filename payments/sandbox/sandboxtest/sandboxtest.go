// Package sandboxtest starts the sandbox gateway on loopback for tests:
// keys made once per test binary (RSA generation is slow), state in a
// temporary directory, notification retries compressed.
package sandboxtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"qrtill/payments/sandbox"
)

var (
	once sync.Once
	keys *sandbox.Keys
	err  error
)

// Keys returns a copy of this test binary's sandbox key set.
func Keys(tb testing.TB) *sandbox.Keys {
	tb.Helper()
	once.Do(func() { keys, err = sandbox.GenerateKeys() })
	if err != nil {
		tb.Fatal(err)
	}
	k := *keys
	return &k
}

// Gateway is a running sandbox and the sandbox.json it wrote.
type Gateway struct {
	*sandbox.Gateway
	Info   sandbox.Info
	Server *httptest.Server
}

// Start runs a sandbox on loopback until the test ends.
func Start(tb testing.TB) *Gateway {
	tb.Helper()
	srv := httptest.NewUnstartedServer(nil)
	dir := filepath.Join(tb.TempDir(), "sandbox")
	gw, err := sandbox.New(sandbox.Config{StateDir: dir, BaseURL: "http://" + srv.Listener.Addr().String(), Keys: Keys(tb), TimeScale: 0.0001})
	if err != nil {
		tb.Fatal(err)
	}
	srv.Config.Handler = gw
	srv.Start()
	tb.Cleanup(func() { srv.Close(); gw.Close() })
	info, err := sandbox.LoadInfo(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return &Gateway{Gateway: gw, Info: info, Server: srv}
}

// PostFaults switches the faults through the control API, as a script
// would, failing the test unless the sandbox takes them.
func (g *Gateway) PostFaults(tb testing.TB, f sandbox.Faults) {
	tb.Helper()
	body, _ := json.Marshal(f)
	resp, err := http.Post(g.Info.BaseURL+"/sandbox/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("faults %+v: HTTP %d", f, resp.StatusCode)
	}
}
