package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"qrtill/pos"
)

// DefaultTimeout is how long Open waits for another process to release
// the file lock when Options.Timeout is zero.
const DefaultTimeout = time.Second

// lockRetry is how often a waiting Open tries the lock again (as bbolt).
const lockRetry = 50 * time.Millisecond

// errLockTimeout is lockShared giving up.
var errLockTimeout = errors.New("file lock timed out")

// Options tune Open. The zero value is right for the till.
type Options struct {
	// Timeout is how long to wait for the file lock; 0 means DefaultTimeout.
	Timeout time.Duration
	// Location is the shop's time zone: every order is filed under its
	// calendar day there (OrdersByDay), whatever the process's TZ. nil
	// means DefaultZone. The book records the zone; opening it writable in
	// another zone files every order again, and a read-only open reads in
	// the recorded zone.
	Location *time.Location
	// ReadOnly opens an existing book for reading only: a shared lock
	// (readers never block each other), nothing written, no migration.
	// A missing book is ErrNoBook.
	ReadOnly bool
	// BackupDir is where backups are kept and looked for when the book is
	// damaged; "" means "backups" beside the book.
	BackupDir string
	// CheckLimit is the largest book that Open checks page by page
	// (including bbolt's tx.Check); 0 means DefaultCheckLimit, negative
	// means only the header, free list and bucket roots.
	CheckLimit int64
	// NoSync skips fsync on commit. Only for tests and benchmarks: a crash
	// can lose or corrupt data.
	NoSync bool
	// Mode is the till's, ModeDemo or ModeLive ("" = not checked). A
	// book records the mode of the till that first writes it, and is
	// refused to a till in the other mode (ErrWrongMode): demo orders
	// never share a book with live ones.
	Mode string
}

// DB is the bbolt order book. It implements pos.Store and is safe for
// concurrent use.
type DB struct {
	bolt     *bolt.DB
	loc      *time.Location
	path     string
	backups  string
	readOnly bool
	// legacyDays marks a read-only view of a schema-1 book, whose day
	// index was filed in each writer's own zone: OrdersByDay looks around
	// the day and checks each order's time.
	legacyDays bool
	// legacyNumbers marks a read-only view of a book older than schema 3:
	// its orders get the daily numbers the migration would give them.
	legacyNumbers bool
	// broken is set once bbolt panicked on a damaged page: no more writes.
	broken atomic.Bool
	// checked says checkFile walked every page and both meta pages are
	// sound, so bbolt's tx.Check can run without panicking.
	checked bool
}

var _ pos.Store = (*DB)(nil)

// Open opens (or creates) the order book file at path, creating its
// directory with mode 0700 and the file with mode 0600, and brings the
// schema up to date in one transaction. Before bbolt maps an existing
// file, Open checks it (checkFile) and refuses an empty, truncated or
// damaged one with a *DamagedError (ErrDamaged) that names the newest
// backup, leaving the file as it is. If another process has the file
// open, it gives up after Options.Timeout with an error wrapping
// ErrLocked that names the directory.
func Open(path string, opts Options) (*DB, error) {
	opts, err := opts.complete(path)
	if err != nil {
		return nil, err
	}
	db := &DB{path: path, loc: opts.Location, backups: opts.BackupDir, readOnly: opts.ReadOnly}
	if err := db.open(opts); err != nil {
		return nil, err
	}
	if err := db.prepare(opts); err != nil {
		_ = db.bolt.Close()
		return nil, err
	}
	return db, nil
}

// complete fills in the defaults.
func (o Options) complete(path string) (Options, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Location == nil {
		o.Location = DefaultLocation()
	}
	if _, err := LoadZone(o.Location.String()); err != nil || o.Location == time.Local || o.Location.String() == "" {
		return o, fmt.Errorf("open order book: the shop's time zone %q is not one the book can record; give it by its IANA name, like %s", o.Location, DefaultZone)
	}
	if o.BackupDir == "" {
		o.BackupDir = filepath.Join(filepath.Dir(path), "backups")
	}
	if o.CheckLimit == 0 {
		o.CheckLimit = DefaultCheckLimit
	}
	return o, nil
}

// open checks the file and has bbolt map it.
func (db *DB) open(opts Options) error {
	dir := filepath.Dir(db.path)
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return notWritable(dir, err)
		}
	}
	f, err := db.precheck(opts)
	if err != nil {
		return err
	}
	if f != nil {
		if opts.ReadOnly {
			// Held until bbolt holds its own shared lock: no writer between.
			defer func() { unlock(f); f.Close() }()
		} else {
			unlock(f) // bbolt takes the exclusive lock itself
			f.Close()
		}
	}
	db.bolt, err = openBolt(db.path, opts)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &lockedError{dir: dir}
	case !opts.ReadOnly && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)):
		return notWritable(dir, err)
	case err != nil:
		return db.wrapDamage(fmt.Errorf("open order book %s: %w", db.path, err))
	}
	return nil
}

// precheck locks an existing file shared and runs checkFile on it. It
// returns the locked file, or nil when a writable open will create it.
func (db *DB) precheck(opts Options) (*os.File, error) {
	dir := filepath.Dir(db.path)
	f, err := os.Open(db.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.ReadOnly:
		return nil, fmt.Errorf("open order book %s: %w", db.path, ErrNoBook)
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, fs.ErrPermission) && !opts.ReadOnly, errors.Is(err, syscall.ENOTDIR):
		return nil, notWritable(dir, err)
	case err != nil:
		return nil, fmt.Errorf("open order book %s: %w", db.path, err)
	}
	if err := lockShared(f, opts.Timeout); err != nil {
		f.Close()
		if errors.Is(err, errLockTimeout) {
			return nil, &lockedError{dir: dir}
		}
		return nil, fmt.Errorf("lock order book %s: %w", db.path, err)
	}
	st, err := f.Stat()
	if err == nil {
		var res checked
		res, err = checkFile(f, st.Size(), opts.CheckLimit)
		db.checked = res.full && res.bothMeta
	}
	if err != nil {
		unlock(f)
		f.Close()
		return nil, db.wrapDamage(err)
	}
	return f, nil
}

// openBolt is bolt.Open, with a panic on a damaged file turned into a
// damage error.
func openBolt(path string, opts Options) (b *bolt.DB, err error) {
	err = guard(func() error {
		b, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync, ReadOnly: opts.ReadOnly})
		return err
	})
	return b, err
}

// prepare runs bbolt's own check on a book small enough, then reads the
// layout (read-only) or migrates it.
func (db *DB) prepare(opts Options) error {
	if db.checked {
		if err := db.view(context.Background(), checkTx); err != nil {
			return err
		}
	}
	if db.readOnly {
		return db.readLayout(opts.Location)
	}
	err := db.update(context.Background(), func(tx *bolt.Tx) error {
		if err := migrate(tx, db.loc); err != nil {
			return err
		}
		return checkMode(tx, opts.Mode)
	})
	if err != nil {
		return fmt.Errorf("open order book %s: %w", db.path, err)
	}
	return nil
}

// checkTx runs bbolt's tx.Check, draining it (Check's goroutine reads
// the transaction until it is done). Only after checkFile passed every
// page: tx.Check panics in its own goroutine on some damage, where
// nobody can recover it.
func checkTx(tx *bolt.Tx) error {
	var first error
	for err := range tx.Check() {
		if first == nil {
			first = damaged("fails bbolt's check (%v)", err)
		}
	}
	return first
}

// notWritable is Open's sentence for a directory it cannot use.
func notWritable(dir string, err error) error {
	return fmt.Errorf("open order book: cannot write to %s; make it writable or pass --data: %w", dir, err)
}

// Path is the file the order book lives in.
func (db *DB) Path() string { return db.path }

// Location is the shop's time zone the book files orders under.
func (db *DB) Location() *time.Location { return db.loc }

// Close releases the file and its lock. Using the DB afterwards returns
// ErrClosed.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close order book: %w", err)
	}
	return nil
}

// errReadOnly is a write to a book opened with Options.ReadOnly.
var errReadOnly = errors.New("order book is open read-only")

// view runs fn in a read-only transaction, if ctx is still live.
func (db *DB) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.wrapDamage(db.guard(func() error { return db.bolt.View(fn) }))
}

// update runs fn in one read-write transaction, if ctx is still live
// and the book has not shown damage.
func (db *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.readOnly {
		return errReadOnly
	}
	if db.broken.Load() {
		return db.wrapDamage(damaged("has a damaged page; nothing more is written to it"))
	}
	return db.wrapDamage(db.guard(func() error {
		return db.bolt.Update(func(tx *bolt.Tx) error {
			setFillPercent(tx)
			return fn(tx)
		})
	}))
}

// guard is the package guard, and marks the DB broken on damage.
func (db *DB) guard(run func() error) error {
	err := guard(run)
	var d *damage
	if errors.As(err, &d) && d.panicked {
		db.broken.Store(true)
	}
	return translate(err)
}

// wrapDamage turns a damage into the DamagedError sentence for this book.
func (db *DB) wrapDamage(err error) error {
	var d *damage
	if !errors.As(err, &d) {
		return err
	}
	return &DamagedError{Path: db.path, Problem: d.what, Backup: NewestBackup(db.backups), Dir: db.backups}
}
