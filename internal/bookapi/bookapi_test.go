package bookapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var shanghai = storage.DefaultLocation()

// late is 00:34 on 2 March in Shanghai: 16:34 on 1 March in UTC.
var late = time.Date(2025, 3, 1, 16, 34, 0, 0, time.UTC)

// till is a book with three orders, served on a socket in a temp dir as
// a running till would, and a client for it.
type till struct {
	db     *storage.DB
	srv    *Server
	client *Client
	dir    string
}

func startTill(t *testing.T, now func() time.Time) *till {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "orders.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	line := pos.Line{SKU: "W1", NameZH: "水", NameEN: "Water", UnitPrice: 250, Quantity: 2, Total: 500}
	for i, o := range []pos.Order{
		{Number: "N1", Status: pos.OrderPaid, PaidBy: "N1P01", Channel: payments.Alipay, CreatedAt: late.Add(-time.Hour),
			Attempts: []pos.Attempt{{OutTradeNo: "N1P01", Status: pos.AttemptPaid, Amount: 500}}},
		{Number: "N2", Status: pos.OrderCancelled, CreatedAt: late},
		{Number: "N3", Status: pos.OrderPaid, PaidBy: "N3P01", Channel: payments.WeChat, CreatedAt: late.Add(time.Hour),
			Attempts: []pos.Attempt{{OutTradeNo: "N3P01", Status: pos.AttemptPaid, Amount: 500}}},
	} {
		o.Lines, o.Total, o.UpdatedAt = []pos.Line{line}, 500, o.CreatedAt
		if err := db.CreateOrder(context.Background(), o); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
	}
	srv, err := Listen(SocketPath(dir), NewLocal(db, now), slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	c := NewClient(SocketPath(dir))
	t.Cleanup(func() {
		c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown = %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve = %v", err)
		}
		if _, err := os.Lstat(SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket left after Shutdown (%v)", err)
		}
	})
	return &till{db: db, srv: srv, client: c, dir: dir}
}

func numbers(os []pos.Order) string {
	var n []string
	for _, o := range os {
		n = append(n, o.Number)
	}
	return strings.Join(n, ",")
}

func TestOrdersThroughTheSocket(t *testing.T) {
	tl := startTill(t, func() time.Time { return late })
	st, err := os.Lstat(tl.srv.Path())
	if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v, mode %v; want a socket, mode 600", err, st.Mode())
	}
	ctx := context.Background()
	for _, c := range []struct {
		q        Query
		day, got string
	}{
		{Query{}, "2025-03-02", "N2,N3"},                                // today is the shop's 2 March
		{Query{Day: "2025-03-01"}, "2025-03-01", "N1"},                  // 23:34 on 1 March
		{Query{All: true}, "", "N1,N2,N3"},                              // every day
		{Query{All: true, Status: "paid"}, "", "N1,N3"},                 // a status
		{Query{Day: "2025-03-02", Status: "expired"}, "2025-03-02", ""}, // none
	} {
		l, err := tl.client.Orders(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		if numbers(l.Orders) != c.got || l.Day != c.day || l.Zone != "Asia/Shanghai" || l.Orders == nil {
			t.Errorf("%+v: day %q zone %q orders %q, want day %q orders %q", c.q, l.Day, l.Zone, numbers(l.Orders), c.day, c.got)
		}
	}
	rep, err := tl.client.Report(ctx, "")
	if err != nil || rep.Day != "2025-03-02" || rep.Orders != 2 || rep.Paid.Total != 500 {
		t.Errorf("Report = %+v, %v", rep, err)
	}
}

func TestBackupThroughTheSocket(t *testing.T) {
	tl := startTill(t, nil)
	ctx := context.Background()
	target := filepath.Join(t.TempDir(), "copy.db")
	n, err := tl.client.Backup(ctx, target)
	if err != nil || n == 0 {
		t.Fatalf("Backup = %d, %v", n, err)
	}
	copied, err := storage.Open(target, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	all, err := copied.AllOrders(ctx)
	if err != nil || numbers(all) != "N1,N2,N3" {
		t.Errorf("backup holds %q, %v", numbers(all), err)
	}
	// A relative path is made absolute by the client, against its own dir.
	t.Chdir(t.TempDir())
	if _, err := tl.client.Backup(ctx, "rel.db"); err != nil {
		t.Errorf("Backup(rel.db) = %v", err)
	}
	if _, err := os.Stat("rel.db"); err != nil {
		t.Errorf("rel.db not written in the client's dir: %v", err)
	}
}

func TestErrorsKeepTheirKind(t *testing.T) {
	tl := startTill(t, nil)
	ctx := context.Background()
	_, err := tl.client.Orders(ctx, Query{Day: "22/11/2026"})
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "write it like 2026-11-22") {
		t.Errorf("bad day = %v, want ErrBadQuery with the fix", err)
	}
	if _, err := tl.client.Backup(ctx, t.TempDir()); !errors.Is(err, storage.ErrBadBackupPath) {
		t.Errorf("backup to a dir = %v, want storage.ErrBadBackupPath", err)
	}
	if _, err := tl.client.Backup(ctx, tl.db.Path()); !errors.Is(err, storage.ErrBadBackupPath) {
		t.Errorf("backup over the book = %v, want storage.ErrBadBackupPath", err)
	}
	// A raw request with a relative path is refused by the server too.
	if err := tl.client.call(ctx, "POST", "/v1/backup", backupRequest{Path: "x.db"}, &backupAnswer{}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("relative path = %v, want ErrBadQuery", err)
	}
}

// damagedBook is a Book whose reads find damage.
type damagedBook struct{ Book }

func (damagedBook) OrdersByDay(context.Context, time.Time) ([]pos.Order, error) {
	return nil, &storage.DamagedError{Path: "/d/orders.db", Problem: "has a damaged page 7", Backup: "/d/backups/orders-2025-03-01.db"}
}
func (damagedBook) Location() *time.Location { return shanghai }

func TestDamageIsToldAsIs(t *testing.T) {
	dir := t.TempDir()
	srv, err := Listen(SocketPath(dir), NewLocal(damagedBook{}, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	c := NewClient(SocketPath(dir))
	defer c.Close()
	_, err = c.Report(context.Background(), "2025-03-01")
	want := "the order book /d/orders.db has a damaged page 7; stop qrtill, move it aside and copy the newest backup /d/backups/orders-2025-03-01.db in its place"
	if !errors.Is(err, storage.ErrDamaged) || err.Error() != want {
		t.Errorf("Report = %q, want ErrDamaged saying %q", err, want)
	}
}

func TestNoTillAnswers(t *testing.T) {
	c := NewClient(SocketPath(t.TempDir()))
	defer c.Close()
	if _, err := c.Orders(context.Background(), Query{}); !errors.Is(err, ErrNoServer) {
		t.Errorf("Orders with no socket = %v, want ErrNoServer", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, ErrNoServer) {
		t.Errorf("Ping with no socket = %v, want ErrNoServer", err)
	}
	tl := startTill(t, nil)
	if err := tl.client.Ping(context.Background()); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

func TestListenReplacesOnlyAStaleSocket(t *testing.T) {
	dir := t.TempDir()
	path := SocketPath(dir)
	// A crashed till's socket: the file is there, nobody listens.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	srv, err := Listen(path, NewLocal(damagedBook{}, nil), nil)
	if err != nil {
		t.Fatalf("Listen over a stale socket = %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	// A second server while the first answers is refused.
	if _, err := Listen(path, NewLocal(damagedBook{}, nil), nil); err == nil || !strings.Contains(err.Error(), "another qrtill answers") {
		t.Errorf("second Listen = %v", err)
	}
	srv.Close()
	<-served
	// Something else at the path is left alone.
	os.WriteFile(path, []byte("mine"), 0o600)
	if _, err := Listen(path, NewLocal(damagedBook{}, nil), nil); err == nil {
		t.Error("Listen replaced a regular file")
	}
	if b, _ := os.ReadFile(path); string(b) != "mine" {
		t.Error("the regular file was changed")
	}
	long := filepath.Join(dir, strings.Repeat("d", 120), SocketName)
	if _, err := Listen(long, NewLocal(damagedBook{}, nil), nil); err == nil || !strings.Contains(err.Error(), "shorter --data") {
		t.Errorf("Listen on a %d-byte path = %v", len(long), err)
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, SocketPath(dir), NewLocal(damagedBook{}, nil), slog.New(slog.NewTextHandler(t.Output(), nil)))
	}()
	c := NewClient(SocketPath(dir))
	defer c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for c.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("Run never answered")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if _, err := os.Lstat(SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Run (%v)", err)
	}
}
