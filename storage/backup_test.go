package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBackupFileIsAWholeCheckedCopy(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{NoSync: true})
	for i := range 200 {
		if err := db.CreateOrder(ctx, paidOrder(fmt.Sprintf("N%04d", i), at(1, 9, 0, i)), event("created")); err != nil {
			t.Fatal(err)
		}
	}
	// Writers keep going while the copy is made.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			db.CreateOrder(ctx, newOrder(fmt.Sprintf("W%05d", i), at(1, 10, 0, 0)), event("created"))
		}
	})
	path := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(path, []byte("an older backup"), 0o644)
	size, err := db.BackupFile(path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != size || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v, %d bytes (reported %d), mode %v; want mode 600", err, st.Size(), size, st.Mode().Perm())
	}
	copied := openAt(t, path, Options{ReadOnly: true})
	got, err := copied.AllOrders(ctx)
	if err != nil || len(got) < 200 {
		t.Fatalf("backup holds %d orders, %v", len(got), err)
	}
	evs, err := copied.Events(ctx, "N0007")
	if err != nil || len(evs) != 1 {
		t.Errorf("backup events = %v, %v", evs, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".qrtill-backup-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestBackupFileRefusesBadTargets(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	for name, path := range map[string]string{
		"the book itself":     db.Path(),
		"a directory":         t.TempDir(),
		"a missing directory": filepath.Join(t.TempDir(), "no", "such", "x.db"),
	} {
		if _, err := db.BackupFile(path); !errors.Is(err, ErrBadBackupPath) {
			t.Errorf("%s: BackupFile = %v, want ErrBadBackupPath", name, err)
		}
	}
}

// A damaged book gives no backup, and the last good one stays.
func TestBackupOfADamagedBookKeepsTheOldOne(t *testing.T) {
	path := smallBook(t, 2000)
	scramble(t, path, 40)
	db, err := Open(path, Options{CheckLimit: -1, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	target := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(target, []byte("last good backup"), 0o600)
	if _, err := db.BackupFile(target); !errors.Is(err, ErrDamaged) {
		t.Errorf("BackupFile = %v, want ErrDamaged", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "last good backup" {
		t.Errorf("the old backup was replaced by %d bytes", len(got))
	}
}

func TestSnapshotIfDueKeepsOnePerShopDay(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	dir := filepath.Join(t.TempDir(), "backups")
	// 16:34 UTC on 1 March is already 2 March in Shanghai.
	path, err := db.SnapshotIfDue(dir, late, 3)
	if err != nil || filepath.Base(path) != "orders-2025-03-02.db" {
		t.Fatalf("SnapshotIfDue = %q, %v; want orders-2025-03-02.db", path, err)
	}
	if again, err := db.SnapshotIfDue(dir, late.Add(2*time.Hour), 3); again != "" || err != nil {
		t.Errorf("second snapshot of the day = %q, %v; want none", again, err)
	}
	for day := 3; day <= 7; day++ {
		if _, err := db.SnapshotIfDue(dir, at(day, 9, 0, 0), 3); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"orders-2025-03-05.db", "orders-2025-03-06.db", "orders-2025-03-07.db"}
	if got := snapshots(dir); !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if got := NewestBackup(dir); got != filepath.Join(dir, want[2]) {
		t.Errorf("NewestBackup = %q", got)
	}
	if got := db.BackupDir(); got != filepath.Join(filepath.Dir(db.Path()), "backups") {
		t.Errorf("BackupDir = %s, want backups beside the book", got)
	}
	if p, err := db.SnapshotIfDue("", at(8, 9, 0, 0), 3); err != nil || filepath.Dir(p) != db.BackupDir() {
		t.Errorf("SnapshotIfDue(\"\") = %q, %v; want a snapshot in BackupDir", p, err)
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("backup dir mode %v, want 700", st.Mode().Perm())
	}
	// A damaged book names the newest snapshot to restore.
	db.Close()
	os.Truncate(db.Path(), 0)
	_, err = Open(db.Path(), Options{BackupDir: dir})
	wantDamaged(t, err, db.Path(), filepath.Join(dir, want[2]))
}

func TestKeepSnapshotsRunsUntilCancelled(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	dir := filepath.Join(t.TempDir(), "backups")
	var mu sync.Mutex
	day := 1
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return at(day, 9, 0, 0)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- db.KeepSnapshots(ctx, dir, 2, time.Millisecond, clock, slog.New(slog.NewTextHandler(t.Output(), nil)))
	}()
	waitFor(t, func() bool { return NewestBackup(dir) == filepath.Join(dir, "orders-2025-03-01.db") })
	mu.Lock()
	day = 2
	mu.Unlock()
	waitFor(t, func() bool { return NewestBackup(dir) == filepath.Join(dir, "orders-2025-03-02.db") })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("KeepSnapshots = %v", err)
	}
}

// waitFor polls cond with a deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
