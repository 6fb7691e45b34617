package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"qrtill/pos"
)

// DefaultTimeout is how long Open waits for another process to release
// the file lock when Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options tune Open. The zero value is right for the till.
type Options struct {
	// Timeout is how long to wait for the file lock; 0 means DefaultTimeout.
	Timeout time.Duration
	// Location decides the local calendar day of an order (OrdersByDay);
	// nil means time.Local.
	Location *time.Location
	// NoSync skips fsync on commit. Only for tests and benchmarks: a crash
	// can lose or corrupt data.
	NoSync bool
}

// DB is the bbolt order book. It implements pos.Store and is safe for
// concurrent use.
type DB struct {
	bolt *bolt.DB
	loc  *time.Location
	path string
}

var _ pos.Store = (*DB)(nil)

// Open opens (or creates) the order book file at path, creating its
// directory with mode 0700 and the file with mode 0600, and brings the
// schema up to date in one transaction. If another process has the file
// open, it gives up after Options.Timeout with an error wrapping ErrLocked
// that names the directory.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, notWritable(dir, err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &lockedError{dir: dir}
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return nil, notWritable(dir, err)
	case err != nil:
		return nil, fmt.Errorf("open order book %s: %w", path, err)
	}
	db := &DB{bolt: b, loc: opts.Location, path: path}
	if err := b.Update(migrate); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("open order book %s: %w", path, err)
	}
	return db, nil
}

// notWritable is Open's sentence for a directory it cannot use.
func notWritable(dir string, err error) error {
	return fmt.Errorf("open order book: cannot write to %s; make it writable or pass --data: %w", dir, err)
}

// Path is the file the order book lives in.
func (db *DB) Path() string { return db.path }

// Location is the time zone that decides an order's local calendar day.
func (db *DB) Location() *time.Location { return db.loc }

// Close releases the file and its lock. Using the DB afterwards returns
// ErrClosed.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close order book: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the whole order book file to w, for
// example a file opened for `qrtill backup`. Writers are not blocked.
func (db *DB) Backup(w io.Writer) error {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("back up order book: %w", translate(err))
	}
	return nil
}

// view runs fn in a read-only transaction, if ctx is still live.
func (db *DB) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translate(db.bolt.View(fn))
}

// update runs fn in one read-write transaction, if ctx is still live.
func (db *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translate(db.bolt.Update(fn))
}
