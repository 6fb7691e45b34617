package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/internal/bookapi"
	"qrtill/payments"
	"qrtill/pos"
	"qrtill/storage"
)

// late is 00:34 on 2 March in Shanghai: 16:34 on 1 March in UTC.
var late = time.Date(2025, 3, 1, 16, 34, 0, 0, time.UTC)

// seedAt writes a paid order created at each time into DATA/orders.db.
func seedAt(t *testing.T, data string, times ...time.Time) {
	t.Helper()
	db, err := storage.Open(filepath.Join(data, "orders.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, at := range times {
		n := at.In(storage.DefaultLocation()).Format("20060102150405") + fmt.Sprintf("000k3f%04d", i%10000)
		o := pos.Order{Number: n, Status: pos.OrderPaid, Total: 500, CreatedAt: at, UpdatedAt: at, Channel: payments.Alipay, PaidBy: n + "P01",
			Lines:    []pos.Line{{SKU: "W1", NameZH: "水", NameEN: "Water", UnitPrice: 250, Quantity: 2, Total: 500}},
			Attempts: []pos.Attempt{{OutTradeNo: n + "P01", OrderNumber: n, Channel: payments.Alipay, Status: pos.AttemptPaid, Amount: 500}}}
		if err := db.CreateOrder(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

// oneSentence fails unless stderr is one "qrtill: " line.
func oneSentence(t *testing.T, errOut string) {
	t.Helper()
	if !strings.HasPrefix(errOut, "qrtill: ") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("stderr %q is not one qrtill: sentence", errOut)
	}
}

func TestReadingCommandsWriteNothing(t *testing.T) {
	data := t.TempDir()
	seedAt(t, data, late)
	path := filepath.Join(data, "orders.db")
	before, _ := os.ReadFile(path)
	for _, args := range [][]string{{"orders", "--all"}, {"orders", "--day", "2025-03-02"}, {"report", "--day", "2025-03-02"}} {
		if _, errOut, code := cli(t, append(args, "--data", data)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("orders and report rewrote the order book")
	}
}

// A till under TZ=UTC lists 00:34 Shanghai time under the shop's day.
func TestOrdersDayIsTheShops(t *testing.T) {
	old := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = old })
	data := t.TempDir()
	seedAt(t, data, late)
	for day, want := range map[string]int{"2025-03-02": 1, "2025-03-01": 0} {
		out, errOut, code := cli(t, "orders", "--data", data, "--day", day, "--format", "json")
		var got []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got) != want {
			t.Errorf("orders --day %s: exit %d, %d orders (%s), want %d", day, code, len(got), errOut, want)
		}
	}
	out, _, _ := cli(t, "orders", "--data", data, "--day", "2025-03-02")
	if !strings.Contains(out, "2025-03-02 00:34") {
		t.Errorf("table shows %q, want the shop's time 2025-03-02 00:34", out)
	}
}

func TestDamagedBookExitsTwo(t *testing.T) {
	for name, damage := range map[string]func(path string){
		"zero length":       func(path string) { os.Truncate(path, 0) },
		"truncated to half": func(path string) { st, _ := os.Stat(path); os.Truncate(path, st.Size()/2) },
	} {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			var times []time.Time
			for i := range 3000 {
				times = append(times, late.Add(time.Duration(i)*time.Second))
			}
			seedAt(t, data, times...)
			path := filepath.Join(data, "orders.db")
			backup := filepath.Join(data, "backups", "orders-2025-03-01.db")
			os.MkdirAll(filepath.Dir(backup), 0o700)
			os.WriteFile(backup, []byte("x"), 0o600)
			damage(path)
			before, _ := os.ReadFile(path)
			for _, args := range [][]string{{"orders"}, {"report"}, {"backup", "--to", filepath.Join(t.TempDir(), "c.db")}, {"--demo"}} {
				_, errOut, code := cli(t, append(args, "--data", data)...)
				if code != 2 || !strings.Contains(errOut, "the order book "+path) || !strings.Contains(errOut, backup) {
					t.Errorf("%v: exit %d, stderr %q; want 2 naming %s and %s", args, code, errOut, path, backup)
				}
				oneSentence(t, errOut)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("the damaged book was written to")
			}
		})
	}
}

func TestBackupCommand(t *testing.T) {
	data := t.TempDir()
	seedAt(t, data, late, late.Add(time.Hour))
	to := filepath.Join(t.TempDir(), "copy.db")
	out, errOut, code := cli(t, "backup", "--data", data, "--to", to)
	if code != 0 || !strings.Contains(out, to) {
		t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
	}
	if st, err := os.Stat(to); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v, mode %v", err, st.Mode())
	}
	out, _, code = cli(t, "orders", "--all", "--data", filepath.Dir(to), "--format", "json")
	if code != 0 || strings.Count(out, `"number"`) != 0 {
		t.Errorf("the copy's dir has no orders.db: %q", out)
	}
	copied, err := storage.Open(to, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	all, err := copied.AllOrders(context.Background())
	copied.Close()
	if err != nil || len(all) != 2 {
		t.Errorf("the copy holds %d orders, %v", len(all), err)
	}
	for _, args := range [][]string{
		{"backup", "--data", data},                                                    // no --to
		{"backup", "--data", data, "--to", t.TempDir()},                               // a directory
		{"backup", "--data", data, "--to", filepath.Join(data, "orders.db")},          // the book itself
		{"backup", "--data", t.TempDir(), "--to", filepath.Join(t.TempDir(), "x.db")}, // no book yet
	} {
		_, errOut, code := cli(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
		oneSentence(t, errOut)
	}
}

// While a till holds the book, the reading commands ask it on its
// socket: they work, and the backup is written by the till.
func TestCommandsWhileTheTillRuns(t *testing.T) {
	data := t.TempDir()
	seedAt(t, data, late, late.Add(time.Hour))
	db, err := storage.Open(filepath.Join(data, "orders.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := bookapi.Listen(bookapi.SocketPath(data), bookapi.NewLocal(db, func() time.Time { return late }), slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go srv.Serve()

	out, errOut, code := cli(t, "orders", "--data", data, "--format", "json")
	if code != 0 || strings.Count(out, `"number"`) != 2 {
		t.Errorf("orders: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code = cli(t, "orders", "--data", data, "--status", "cancelled")
	if code != 0 || !strings.Contains(out, "(no orders)") {
		t.Errorf("orders --status: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code = cli(t, "report", "--data", data, "--day", "2025-03-02", "--format", "json")
	if code != 0 || !strings.Contains(out, `"orders": 2`) {
		t.Errorf("report: exit %d, %q %q", code, out, errOut)
	}
	to := filepath.Join(t.TempDir(), "copy.db")
	if out, errOut, code = cli(t, "backup", "--data", data, "--to", to); code != 0 {
		t.Errorf("backup: exit %d, %q %q", code, out, errOut)
	}
	if _, err := os.Stat(to); err != nil {
		t.Errorf("backup not written: %v", err)
	}
	_, errOut, code = cli(t, "backup", "--data", data, "--to", t.TempDir())
	if code != 2 {
		t.Errorf("backup to a dir through the till: exit %d (%s), want 2", code, errOut)
	}
	oneSentence(t, errOut)
}
