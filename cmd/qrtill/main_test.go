package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/storage"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"qrtill": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("LANG", "C")
			return nil
		},
	})
}

// cli runs one command line in-process.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// seed stores three of today's orders, filed like the till files them:
// under the shop's day in its time zone ([shop] time_zone, default
// Asia/Shanghai), whatever this process's TZ.
func seed(t *testing.T, data string) {
	t.Helper()
	shop, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(data, "orders.db"), storage.Options{Location: shop})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	line := pos.Line{SKU: "W1", NameZH: "水", NameEN: "Water", UnitPrice: 250, Quantity: 2, Total: 500}
	mk := func(n string, st pos.OrderStatus, ch payments.Channel, refunds ...pos.Refund) pos.Order {
		o := pos.Order{Number: n, Status: st, Lines: []pos.Line{line}, Total: 500, CreatedAt: now, UpdatedAt: now, Channel: ch}
		if st == pos.OrderPaid || st == pos.OrderPartiallyRefunded {
			o.PaidBy = n + "P01"
			o.Attempts = []pos.Attempt{{OutTradeNo: n + "P01", OrderNumber: n, Channel: ch, Status: pos.AttemptPaid,
				Amount: 500, PaidAmount: 500, ProviderTradeNo: "T" + n, CreatedAt: now, ExpiresAt: now, UpdatedAt: now}}
		}
		o.Refunds = refunds
		return o
	}
	for _, o := range []pos.Order{
		mk("N1", pos.OrderPaid, payments.Alipay),
		mk("N2", pos.OrderPartiallyRefunded, payments.WeChat, pos.Refund{RefundNo: "N2R01", OutTradeNo: "N2P01", Amount: 200, Status: payments.RefundSuccess}),
		mk("N3", pos.OrderCancelled, ""),
	} {
		if err := db.CreateOrder(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOrdersFormats(t *testing.T) {
	data := t.TempDir()
	seed(t, data)

	out, errOut, code := cli(t, "orders", "--data", data, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(got) != 3 || got[0]["number"] != "N1" || got[0]["status"] != "paid" || got[0]["total_fen"] != float64(500) || got[0]["channel"] != "alipay" {
		t.Fatalf("json orders = %v", got)
	}
	if _, err := time.Parse(time.RFC3339, got[0]["created_at"].(string)); err != nil {
		t.Errorf("created_at not RFC 3339: %v", err)
	}
	for i, o := range got {
		if o["daily_no"] != float64(i+1) {
			t.Errorf("order %v: daily_no %v, want %d", o["number"], o["daily_no"], i+1)
		}
	}
	// refunded_fen is always there: 200 given back on N2, none on the others.
	for i, want := range []float64{0, 200, 0} {
		if got[i]["refunded_fen"] != want {
			t.Errorf("order %v: refunded_fen %v, want %v", got[i]["number"], got[i]["refunded_fen"], want)
		}
	}

	out, _, code = cli(t, "orders", "--data", data, "--format", "csv", "--status", "paid")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], "N1,") || !strings.Contains(lines[1], ",500,5.00,") || !strings.HasSuffix(lines[1], ",TN1,1,0") ||
		!strings.HasSuffix(lines[0], ",provider_trade_no,daily_no,refunded_fen") {
		t.Fatalf("csv = %q (exit %d)", out, code)
	}

	out, _, code = cli(t, "orders", "--data", data)
	if code != 0 || !strings.Contains(out, "NUMBER") || !strings.Contains(out, "¥5.00") || !strings.Contains(out, "cancelled") || !strings.Contains(out, " #3 ") {
		t.Fatalf("table = %q", out)
	}

	out, _, code = cli(t, "orders", "--data", data, "--day", "2001-01-01", "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("other day = %q", out)
	}
}

func TestReport(t *testing.T) {
	data := t.TempDir()
	seed(t, data)
	out, errOut, code := cli(t, "report", "--data", data, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep pos.DayReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Orders != 3 || rep.Paid.Total != 1000 || rep.Refunded.Total != 200 || rep.Net != 800 {
		t.Fatalf("report = %+v", rep)
	}
	out, _, code = cli(t, "report", "--data", data)
	if code != 0 || !strings.Contains(out, "net") || !strings.Contains(out, "¥8.00") {
		t.Fatalf("table report = %q", out)
	}
}

func TestLockedOrderBook(t *testing.T) {
	data := t.TempDir()
	db, err := storage.Open(filepath.Join(data, "orders.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// bbolt's lock is per process via flock on a separate descriptor, so a
	// second open in this process waits for it like another process would.
	// With no till answering on its socket, the command says so.
	_, errOut, code := cli(t, "orders", "--data", data)
	if code != 2 || !strings.Contains(errOut, "another qrtill is using "+data+" and does not answer on "+data+"/qrtill.sock; close it or pass --data") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, []byte("x"), 0o600)
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("shop-1 sha256:"+strings.Repeat("0", 64)+"\n"), 0o600)
	intDuration := filepath.Join(dir, "int.toml")
	os.WriteFile(intDuration, []byte("[ssh]\nidle_timeout = 300\n"), 0o600)
	tests := [][]string{
		{"extra"},
		{"orders", "today", "--data", dir},
		{"sandbox", "--addr", "nonsense", "--data", dir},
		{"sandbox", "--data", filepath.Join(blocker, "data")},
		{"relay", "--tokens", tokens, "--data", filepath.Join(blocker, "data")},
		{"serve", "--config", intDuration, "--data", dir},
		{"orders", "--day", "garbage", "--data", filepath.Join(dir, "fresh")},
		{"--no-such-flag"},
		{"orders", "--format", "xml"},
		{"orders", "--data", filepath.Join(blocker, "data")},
		{"orders", "--lang", "fr", "--data", dir},
		{"report", "--day", "22/11/2026", "--data", dir},
		{"--catalog", filepath.Join(dir, "no-such.csv"), "--data", dir},
	}
	for _, args := range tests {
		_, errOut, code := cli(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 || !strings.HasPrefix(errOut, "qrtill: ") {
			t.Errorf("%v: stderr %q is not one qrtill: sentence", args, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "fresh")); err == nil {
		t.Error("orders --day garbage wrote the data dir")
	}
}
