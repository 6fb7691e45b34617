package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

func TestReadOnlyWritesNothing(t *testing.T) {
	ctx := context.Background()
	path := smallBook(t, 50)
	before, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	// Two readers at once: a shared lock.
	a, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	defer b.Close()
	for _, db := range []*DB{a, b} {
		got, err := db.OrdersByDay(ctx, at(1, 9, 0, 0))
		if err != nil || len(got) != 50 {
			t.Errorf("OrdersByDay = %d, %v", len(got), err)
		}
	}
	if err := a.CreateOrder(ctx, newOrder("N1", at(1, 9, 0, 0))); !errors.Is(err, errReadOnly) {
		t.Errorf("CreateOrder on a read-only book = %v", err)
	}
	a.Close()
	b.Close()
	unchanged(t, path, before)
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st.ModTime()) {
		t.Error("a read-only open touched the file")
	}
}

func TestReadOnlyWhileAWriterHoldsIt(t *testing.T) {
	w := openTest(t, Options{NoSync: true})
	_, err := Open(w.Path(), Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("read-only Open beside a writer = %v, want ErrLocked", err)
	}
}

func TestReadOnlyMissingBookCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, err := Open(filepath.Join(dir, "orders.db"), Options{ReadOnly: true})
	if !errors.Is(err, ErrNoBook) {
		t.Errorf("Open = %v, want ErrNoBook", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data dir was created (%v)", err)
	}
	// A bbolt file that was never set up as a book is no book either.
	path := filepath.Join(t.TempDir(), "orders.db")
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrNoBook) {
		t.Errorf("Open of an empty bbolt file = %v, want ErrNoBook", err)
	}
}

func TestReadOnlyRefusesNewerSchema(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(schemaVersion+1)) })
	db.Close()
	if _, err := Open(db.Path(), Options{ReadOnly: true}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open = %v, want ErrSchemaTooNew", err)
	}
}

func TestAttemptIndexKeepsNoCopyOfTheNumber(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{NoSync: true})
	n := "20250301090000000k3f0001"
	o := newOrder(n, at(1, 9, 0, 0), newAttempt(pos.AttemptOutTradeNo(n, 1), pos.AttemptWaiting))
	if err := db.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := db.OrderByOutTradeNo(ctx, n+"P01")
	if err != nil || got.Number != n {
		t.Fatalf("OrderByOutTradeNo = %q, %v", got.Number, err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAttempts, bucketOpenAttempts} {
			if v := tx.Bucket(b).Get([]byte(n + "P01")); v == nil || len(v) != 0 {
				t.Errorf("%s value = %q, want empty (the key says the number)", b, v)
			}
		}
		return nil
	})
	// A second order may not take the first one's out_trade_no.
	other := newOrder("20250301090000000k3f0002", at(1, 9, 0, 0), newAttempt(n+"P01", pos.AttemptWaiting))
	if err := db.CreateOrder(ctx, other); !errors.Is(err, pos.ErrDuplicate) {
		t.Errorf("CreateOrder with another's out_trade_no = %v", err)
	}
}

func TestReadOnlyUnderARegularFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, nil, 0o600)
	dir := filepath.Join(file, "data")
	_, err := Open(filepath.Join(dir, "orders.db"), Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "cannot write to "+dir) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("Open = %v, want the data dir named with the fix", err)
	}
}
