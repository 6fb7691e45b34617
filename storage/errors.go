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
)

// lockedError is what Open returns when the file lock times out: one
// sentence for the cashier, errors.Is(err, ErrLocked) for code.
type lockedError struct{ dir string }

func (e *lockedError) Error() string {
	return fmt.Sprintf("another qrtill is using %s; close it or pass --data", e.dir)
}

func (e *lockedError) Unwrap() error { return ErrLocked }

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
