package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Daily snapshots are DIR/orders-YYYY-MM-DD.db, one per shop day.
const (
	snapshotPrefix = "orders-"
	snapshotSuffix = ".db"
)

// DefaultKeep is how many daily snapshots SnapshotIfDue keeps when asked
// to keep 0 or fewer.
const DefaultKeep = 14

// ErrBadBackupPath means a backup cannot be written where it was asked
// for: the book itself, a directory, or a place that cannot be written.
var ErrBadBackupPath = errors.New("backup path is not usable")

// Backup writes a consistent copy of the whole order book file to w.
// Writers are not blocked.
func (db *DB) Backup(w io.Writer) error {
	err := db.view(context.Background(), func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("back up order book: %w", err)
	}
	return nil
}

// BackupFile writes a consistent copy of the book to path, mode 0600, and
// returns its size. The copy goes to a temporary file beside path, is
// synced and checked (checkFile page by page, then bbolt's tx.Check)
// before it is renamed over path, so path is either the old file or a
// whole, checked copy. Writers are not blocked. It refuses the book's own
// file and directories with ErrBadBackupPath.
func (db *DB) BackupFile(path string) (int64, error) {
	if err := db.checkBackupPath(path); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".qrtill-backup-*")
	if err != nil {
		return 0, fmt.Errorf("back up order book to %s: %w: %w", path, ErrBadBackupPath, err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing left to remove
	size, err := db.writeCopy(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = checkCopy(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return 0, fmt.Errorf("back up order book to %s: %w", path, db.wrapDamage(err))
	}
	return size, nil
}

// checkBackupPath refuses the book itself and directories.
func (db *DB) checkBackupPath(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("back up order book to %s: %w: %w", path, ErrBadBackupPath, err)
	case st.IsDir():
		return fmt.Errorf("back up order book: %s is a directory; name a file: %w", path, ErrBadBackupPath)
	}
	if book, err := os.Stat(db.path); err == nil && os.SameFile(st, book) {
		return fmt.Errorf("back up order book: %s is the order book itself; name another file: %w", path, ErrBadBackupPath)
	}
	return nil
}

// writeCopy writes a snapshot of the book to f and syncs it.
func (db *DB) writeCopy(f *os.File) (int64, error) {
	var size int64
	err := db.view(context.Background(), func(tx *bolt.Tx) (err error) {
		size, err = tx.WriteTo(f)
		return err
	})
	if err != nil {
		return 0, err
	}
	return size, f.Sync()
}

// checkCopy checks a written copy page by page and with bbolt's tx.Check.
func checkCopy(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	res, err := checkFile(f, st.Size(), st.Size())
	if err != nil {
		return err
	}
	if !res.bothMeta {
		return damaged("copies with a bad header page")
	}
	copied, err := openBolt(path, Options{ReadOnly: true, Timeout: DefaultTimeout})
	if err != nil {
		return err
	}
	defer copied.Close()
	return guard(func() error { return copied.View(checkTx) })
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// SnapshotName is the file name of the daily snapshot of the shop day
// that contains now, in the book's zone.
func (db *DB) SnapshotName(now time.Time) string {
	return snapshotPrefix + now.In(db.loc).Format(dayLayout) + snapshotSuffix
}

// BackupDir is where the book's backups are kept (Options.BackupDir,
// DATA/backups by default) and looked for when it is damaged.
func (db *DB) BackupDir() string { return db.backups }

// SnapshotIfDue keeps the daily snapshots in dir ("" for BackupDir): when
// the shop day that contains now has none yet, it writes one
// (BackupFile) and then removes all but the newest keep (DefaultKeep if
// keep < 1). It returns the snapshot written, or "" when none was due.
// Call it at start and then every hour or so (KeepSnapshots does).
func (db *DB) SnapshotIfDue(dir string, now time.Time, keep int) (string, error) {
	if dir == "" {
		dir = db.backups
	}
	path := filepath.Join(dir, db.SnapshotName(now))
	if _, err := os.Stat(path); err == nil {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make backup directory: %w", err)
	}
	if _, err := db.BackupFile(path); err != nil {
		return "", err
	}
	if keep < 1 {
		keep = DefaultKeep
	}
	snaps := snapshots(dir)
	for _, old := range snaps[:max(len(snaps)-keep, 0)] {
		if err := os.Remove(filepath.Join(dir, old)); err != nil {
			return path, fmt.Errorf("remove old backup: %w", err)
		}
	}
	return path, nil
}

// KeepSnapshots runs SnapshotIfDue now and then every interval (an hour
// if 0) until ctx ends, reading the time from now (time.Now if nil). A
// failure is logged and tried again at the next interval; it
// returns nil when ctx ends. In the till's assembly:
//
//	g.Go(func() error { return db.KeepSnapshots(ctx, "", keep, 0, nil, log) })
func (db *DB) KeepSnapshots(ctx context.Context, dir string, keep int, interval time.Duration, now func() time.Time, log *slog.Logger) error {
	if interval <= 0 {
		interval = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if path, err := db.SnapshotIfDue(dir, now(), keep); err != nil {
			log.Error("daily backup failed", "err", err)
		} else if path != "" {
			log.Info("daily backup written", "path", path)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// NewestBackup is the newest daily snapshot in dir, "" if there is none.
func NewestBackup(dir string) string {
	snaps := snapshots(dir)
	if len(snaps) == 0 {
		return ""
	}
	return filepath.Join(dir, snaps[len(snaps)-1])
}

// snapshots lists the daily snapshot names in dir, oldest first.
func snapshots(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		day, ok := strings.CutPrefix(e.Name(), snapshotPrefix)
		if day, ok2 := strings.CutSuffix(day, snapshotSuffix); ok && ok2 && e.Type().IsRegular() {
			if _, err := time.Parse(dayLayout, day); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	slices.Sort(out)
	return out
}
