package storage

import (
	"errors"
	"fmt"

	berrors "go.etcd.io/bbolt/errors"
)

// Errors of this package. The domain's own pos.ErrNotFound and
// pos.ErrDuplicate are returned for missing and duplicate records.
var (
	// ErrLocked means another process holds the order book file. The error
	// Open returns names the data directory and the fix.
	ErrLocked = errors.New("order book is in use by another process")
	// ErrSchemaTooNew means the file was written by a newer qrtill.
	ErrSchemaTooNew = errors.New("order book was written by a newer qrtill")
	// ErrClosed means the DB was used after Close.
	ErrClosed = errors.New("order book is closed")
	// ErrDamaged means the file is empty, truncated or has a page that is
	// not what bbolt wrote. The error names the file and the newest backup
	// to restore; the file itself is never written to.
	ErrDamaged = errors.New("order book is damaged")
	// ErrNoBook means a read-only Open found no order book at the path:
	// nothing has been sold there yet.
	ErrNoBook = errors.New("no order book yet")
	// ErrWrongMode: a demo till on a live book, or the other way round.
	ErrWrongMode = errors.New("order book belongs to a till in the other mode")
)

// lockedError is what Open returns when the file lock times out: one
// sentence for the cashier, errors.Is(err, ErrLocked) for code.
type lockedError struct{ dir string }

func (e *lockedError) Error() string {
	return fmt.Sprintf("another qrtill is using %s; close it or pass --data", e.dir)
}

func (e *lockedError) Unwrap() error { return ErrLocked }

// DamagedError is a damaged order book, in one sentence that names the
// file, what is wrong and the backup to restore. It matches ErrDamaged.
type DamagedError struct {
	Path    string // the order book file
	Problem string // what is wrong, e.g. "is empty (0 bytes)"
	Backup  string // newest backup found, "" if none
	Dir     string // where backups are kept
}

func (e *DamagedError) Error() string {
	if e.Backup == "" {
		return fmt.Sprintf("the order book %s %s and %s holds no backup; move the file aside (keep it for recovery) to start an empty book",
			e.Path, e.Problem, e.Dir)
	}
	return fmt.Sprintf("the order book %s %s; stop qrtill, move it aside and copy the newest backup %s in its place",
		e.Path, e.Problem, e.Backup)
}

// Unwrap makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// translate turns bbolt's errors into this package's; any other error
// (the caller's own, already wrapped) passes through unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case errors.Is(err, berrors.ErrTxClosed):
		return ErrClosed
	}
	return err
}
