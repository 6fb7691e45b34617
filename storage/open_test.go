package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

func TestOpenCreatesDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	db := openAt(t, filepath.Join(dir, "qrtill.db"), Options{})
	for _, c := range []struct {
		path string
		want fs.FileMode
	}{
		{dir, fs.ModeDir | 0o700},
		{db.Path(), 0o600},
	} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode(); got != c.want {
			t.Errorf("mode of %s = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestOpenDefaults(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "qrtill.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Location().String(); got != DefaultZone {
		t.Errorf("Location = %v, want %s whatever the process's TZ", got, DefaultZone)
	}
	if got := db.bolt.NoSync; got {
		t.Errorf("NoSync = true by default, want fsync on")
	}
}

func TestOpenLockedByAnother(t *testing.T) {
	first := openTest(t, Options{})
	dir := filepath.Dir(first.Path())
	start := time.Now()
	second, err := Open(first.Path(), Options{Timeout: 50 * time.Millisecond})
	if err == nil {
		second.Close()
		t.Fatal("second Open succeeded while the first holds the file")
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("second Open gave up after %v, want about 50ms", waited)
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("errors.Is(%v, ErrLocked) = false", err)
	}
	want := "another qrtill is using " + dir + "; close it or pass --data"
	if got := err.Error(); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestOpenNotWritable(t *testing.T) {
	// A regular file where the data directory should be: fails as any user.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "data")
	_, err := Open(filepath.Join(dir, "qrtill.db"), Options{})
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("Open under a file = %v, want an error naming %s and --data", err, dir)
	}

	if os.Geteuid() == 0 {
		t.Log("running as root: skipping the read-only directory case")
		return
	}
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err = Open(filepath.Join(ro, "qrtill.db"), Options{})
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), ro) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("Open in a read-only dir = %v, want permission error naming %s and --data", err, ro)
	}
}

// version reads the stored schema version.
func version(t *testing.T, db *DB) uint64 {
	t.Helper()
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		v, err = storedVersion(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSchemaVersionKeptOnReopen(t *testing.T) {
	db := openTest(t, Options{})
	if got := version(t, db); got != schemaVersion {
		t.Errorf("new file version = %d, want %d", got, schemaVersion)
	}
	db = reopen(t, db)
	if got := version(t, db); got != schemaVersion {
		t.Errorf("reopened version = %d, want %d", got, schemaVersion)
	}
	for _, name := range allBuckets {
		err := db.bolt.View(func(tx *bolt.Tx) error {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSchemaRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		stored []byte
		want   error
	}{
		{"newer version", u64(schemaVersion + 1), ErrSchemaTooNew},
		{"garbled version", []byte{1, 2, 3}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "qrtill.db")
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = db.bolt.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchemaVersion, c.stored)
			})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()

			db, err = Open(path, Options{Timeout: 50 * time.Millisecond})
			if err == nil {
				db.Close()
				t.Fatal("Open accepted the file")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Open = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("Open = %q, want it to name %s", err, path)
			}
			// The refused file is untouched and its lock released.
			raw, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatalf("file still locked after a refused Open: %v", err)
			}
			defer raw.Close()
			_ = raw.View(func(tx *bolt.Tx) error {
				if got := tx.Bucket(bucketMeta).Get(keySchemaVersion); !bytes.Equal(got, c.stored) {
					t.Errorf("stored version = %x, want %x untouched", got, c.stored)
				}
				return nil
			})
		})
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	o := newOrder("20250301-0001", at(1, 10, 0, 0))
	if err := db.CreateOrder(ctx, o, event("created")); err != nil {
		t.Fatal(err)
	}
	want, err := db.UpdateOrder(ctx, o.Number, func(o *pos.Order) ([]pos.Event, error) {
		o.Status = pos.OrderAwaitingPayment
		o.Attempts = append(o.Attempts, newAttempt(o.Number+"A1", pos.AttemptWaiting))
		return []pos.Event{event("qr_issued")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordNotification(ctx, "alipay", "n-1", at(1, 10, 1, 0)); err != nil {
		t.Fatal(err)
	}

	db = reopen(t, db)

	got, err := db.Order(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "order after reopen", got, want)
	open, err := db.OpenAttempts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "open attempts after reopen", numbers(open), []string{o.Number})
	evs, err := db.Events(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].Kind != "qr_issued" || evs[1].Seq != 2 {
		t.Errorf("events after reopen = %+v, want created, qr_issued (seq 2)", evs)
	}
	first, err := db.RecordNotification(ctx, "alipay", "n-1", at(1, 10, 2, 0))
	if err != nil || first {
		t.Errorf("RecordNotification after reopen = %v, %v, want a duplicate", first, err)
	}
}

func TestClosedDB(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "qrtill.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.Order(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Order after Close = %v, want ErrClosed", err)
	}
	if err := db.CreateOrder(ctx, newOrder("x", at(1, 1, 0, 0))); !errors.Is(err, ErrClosed) {
		t.Errorf("CreateOrder after Close = %v, want ErrClosed", err)
	}
}

func TestCancelledContext(t *testing.T) {
	db := openTest(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.CreateOrder(ctx, newOrder("x", at(1, 1, 0, 0))); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateOrder = %v, want context.Canceled", err)
	}
	all, err := db.AllOrders(context.Background())
	if err != nil || len(all) != 0 {
		t.Errorf("AllOrders = %v, %v, want nothing written", numbers(all), err)
	}
	if _, err := db.AllOrders(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("AllOrders = %v, want context.Canceled", err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{NoSync: true})
	for _, n := range []string{"N1", "N2"} {
		if err := db.CreateOrder(ctx, newOrder(n, at(1, 9, 0, 0)), event("created")); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	copied := openAt(t, path, Options{})
	want, _ := db.AllOrders(ctx)
	got, err := copied.AllOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "orders in the backup", got, want)
}
