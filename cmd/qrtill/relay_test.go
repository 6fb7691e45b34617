package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/relay"
)

// `qrtill relay` on a damaged relay.db stops with one sentence naming
// the file, what is wrong and the fix, and exit status 2 — not a Go
// trace (a file cut short) or a blame on "another relay" (random bytes).
func TestRelayRefusesADamagedStoreWithExit2(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		damage     func(t *testing.T, path string)
	}{
		{"cut short", "is cut short", func(t *testing.T, path string) {
			st, err := relay.OpenBoltStore(filepath.Dir(path), relay.BoltOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for range 200 {
				e := relay.Event{Channel: payments.Alipay, ReceivedAt: time.Now(), Body: []byte(strings.Repeat("x", 900))}
				if _, err := st.Append(context.Background(), "shop-1", e); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			if err := os.Truncate(path, 16<<10); err != nil {
				t.Fatal(err)
			}
		}},
		{"random", "is not a relay store", func(t *testing.T, path string) {
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(strings.Repeat("\x8f\x13junk", 8000)), 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tokens := filepath.Join(dir, "tokens")
			os.WriteFile(tokens, []byte("shop-1 "+relay.HashToken("tok")+"\n"), 0o600)
			path := filepath.Join(dir, "data", "relay", relay.StoreFile)
			tc.damage(t, path)
			_, stderr, code := cli(t, "relay", "--data", filepath.Join(dir, "data"), "--tokens", tokens, "--addr", "127.0.0.1:0")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "qrtill: relay store "+path+" "+tc.want) ||
				!strings.Contains(lines[0], "restore relay.db from a backup") {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

// The relay's own flags: a quota that is not a number and a metrics
// token file others can read are bad input (exit 2) before anything
// listens.
func TestRelayFlagsAreChecked(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("shop-1 "+relay.HashToken("tok")+"\n"), 0o600)
	mtok := filepath.Join(dir, "metrics.token")
	os.WriteFile(mtok, []byte("m\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--till-quota", "lots"}, `till-quota: "lots" is not a whole number`},
		{[]string{"--till-quota-mib", "-1"}, `till-quota-mib: "-1" is not a whole number`},
		{[]string{"--metrics-token-file", mtok}, "chmod 600"},
	} {
		args := append([]string{"relay", "--data", filepath.Join(dir, "data"), "--tokens", tokens, "--addr", "127.0.0.1:0"}, tc.args...)
		_, stderr, code := cli(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
