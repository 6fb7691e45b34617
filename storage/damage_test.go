package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/pos"
)

// smallBook writes a closed book of n paid orders, with events, and
// returns its path.
func smallBook(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "orders.db")
	db, err := Open(path, Options{NoSync: true, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	var orders []pos.Order
	for i := range n {
		orders = append(orders, paidOrder(fmt.Sprintf("20250301-%06d", i), at(1, 8, 0, 0).Add(time.Duration(i)*time.Second)))
	}
	bulkCreate(t, db, orders, 500)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// scramble overwrites page id of the file at path with garbage.
func scramble(t *testing.T, path string, id int) { scrambleFrom(t, path, id, 0) }

// scrambleFrom overwrites page id from byte from on with garbage.
func scrambleFrom(t *testing.T, path string, id, from int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 4096-from)
	for i := range junk {
		junk[i] = byte(i*7 + id*13 + 1)
	}
	if _, err := f.WriteAt(junk, int64(id)*4096+int64(from)); err != nil {
		t.Fatal(err)
	}
}

// wantDamaged checks err is the one sentence for a damaged book.
func wantDamaged(t *testing.T, err error, path, backup string) {
	t.Helper()
	var de *DamagedError
	if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) {
		t.Fatalf("err = %v, want ErrDamaged", err)
	}
	msg := de.Error()
	if !strings.Contains(msg, path) || strings.Count(msg, ".") > strings.Count(path+backup, ".") || strings.Contains(msg, "\n") {
		t.Errorf("message %q is not one sentence naming %s", msg, path)
	}
	if backup != "" && !strings.Contains(msg, backup) {
		t.Errorf("message %q does not name the backup %s", msg, backup)
	}
}

// unchanged fails if the file at path no longer holds want.
func unchanged(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Errorf("%s was changed (%d bytes, was %d; %v)", path, len(got), len(want), err)
	}
}

func TestDamagedBookRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, path string)
		says   string
	}{
		{"zero length", func(t *testing.T, path string) { os.Truncate(path, 0) }, "is empty (0 bytes)"},
		{"truncated to half", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			os.Truncate(path, st.Size()/2)
		}, "is cut short"},
		{"header pages garbage", func(t *testing.T, path string) { scramble(t, path, 0); scramble(t, path, 1) }, "no valid header page"},
		{"a data page randomised", func(t *testing.T, path string) { scramble(t, path, 40) }, "damaged page 40"},
	} {
		for _, ro := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/read-only=%v", c.name, ro), func(t *testing.T) {
				path := smallBook(t, 2000)
				backups := filepath.Join(filepath.Dir(path), "backups")
				os.MkdirAll(backups, 0o700)
				for _, day := range []string{"2025-02-27", "2025-02-28"} {
					os.WriteFile(filepath.Join(backups, "orders-"+day+".db"), []byte("x"), 0o600)
				}
				c.damage(t, path)
				before, _ := os.ReadFile(path)
				db, err := Open(path, Options{ReadOnly: ro, Timeout: 50 * time.Millisecond})
				if err == nil {
					db.Close()
					t.Fatal("Open accepted a damaged book")
				}
				wantDamaged(t, err, path, filepath.Join(backups, "orders-2025-02-28.db"))
				if !strings.Contains(err.Error(), c.says) {
					t.Errorf("err = %q, want it to say %q", err, c.says)
				}
				unchanged(t, path, before)
			})
		}
	}
}

func TestDamagedWithoutBackupSaysSo(t *testing.T) {
	path := smallBook(t, 10)
	os.Truncate(path, 0)
	_, err := Open(path, Options{})
	wantDamaged(t, err, path, "")
	if want := filepath.Join(filepath.Dir(path), "backups") + " holds no backup"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// Every page of a book, garbled in turn (whole, or only its second
// half: the header and element list intact): Open refuses it as damaged
// or opens it (a garbled meta or free page), and then every read answers
// or says damaged. Nothing panics or faults.
func TestEveryGarbledPageIsRefusedOrHarmless(t *testing.T) {
	orig := smallBook(t, 300)
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(data) / 4096
	for _, c := range []struct {
		limit int64
		from  int
	}{{0, 0}, {-1, 0}, {0, 2048}, {-1, 2048}} {
		limit := c.limit
		for id := range pages {
			path := filepath.Join(t.TempDir(), "orders.db")
			os.WriteFile(path, data, 0o600)
			scrambleFrom(t, path, id, c.from)
			db, err := Open(path, Options{ReadOnly: true, CheckLimit: limit, Location: shanghai})
			if err != nil {
				if !errors.Is(err, ErrDamaged) {
					t.Errorf("page %d (limit %d): Open = %v, want ErrDamaged", id, limit, err)
				}
				continue
			}
			readAll(t, db, fmt.Sprintf("page %d (limit %d)", id, limit))
			db.Close()
		}
	}
}

// readAll reads every order and event log; errors must be ErrDamaged.
func readAll(t *testing.T, db *DB, what string) {
	t.Helper()
	ctx := context.Background()
	all, err := db.AllOrders(ctx)
	if err != nil && !errors.Is(err, ErrDamaged) {
		t.Errorf("%s: AllOrders = %v, want orders or ErrDamaged", what, err)
	}
	if _, err := db.OrdersByDay(ctx, at(1, 9, 0, 0)); err != nil && !errors.Is(err, ErrDamaged) {
		t.Errorf("%s: OrdersByDay = %v", what, err)
	}
	for _, o := range all {
		if _, err := db.Events(ctx, o.Number); err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, pos.ErrNotFound) {
			t.Errorf("%s: Events = %v", what, err)
		}
	}
}

// A book too big to check page by page at Open: the damaged page is met
// on reading, reported as damaged, and the book then refuses writes.
func TestDamageMetWhenReadStopsWrites(t *testing.T) {
	path := smallBook(t, 2000)
	scramble(t, path, 40)
	db, err := Open(path, Options{CheckLimit: -1, Location: shanghai})
	if err != nil {
		t.Fatalf("Open with a header-only check = %v", err)
	}
	defer db.Close()
	_, err = db.AllOrders(context.Background())
	wantDamaged(t, err, path, "")
	err = db.CreateOrder(context.Background(), newOrder("N-new", at(2, 9, 0, 0)))
	wantDamaged(t, err, path, "")
}

// A panic that is not bbolt's (a bug in a caller's function) is not
// dressed up as damage.
func TestGuardPassesOtherPanics(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	if err := db.CreateOrder(context.Background(), newOrder("N1", at(1, 9, 0, 0))); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != "a bug" {
			t.Errorf("recovered %v, want the caller's own panic", r)
		}
		if db.broken.Load() {
			t.Error("a caller's panic marked the book damaged")
		}
	}()
	db.UpdateOrder(context.Background(), "N1", func(*pos.Order) ([]pos.Event, error) { panic("a bug") })
}
