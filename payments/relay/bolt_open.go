package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// boltOptions are how the relay opens its file: a lock timeout, and the
// freelist synced, so that opening never walks the whole file in a
// goroutine of bbolt's own (where a damaged page is a crash nobody can
// recover from).
func boltOptions(readOnly bool) *bolt.Options {
	return &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType, ReadOnly: readOnly}
}

// openChecked opens a store file for writing, refusing a damaged one:
// the header is checked before bbolt maps the file, the file is then
// verified through a read-only handle, and a fault or panic inside
// bbolt on the way is caught and reported as damage.
func openChecked(path string) (*bolt.DB, error) {
	state, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if state != fileAbsent {
		if err := verify(path, state == fileFreelistSynced); err != nil {
			return nil, err
		}
	}
	var db *bolt.DB
	err = guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, boltOptions(false))
		return err
	})
	if err != nil {
		return nil, openError(path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("restrict relay store %s: %w", path, err)
	}
	return db, nil
}

// verify reads the file through a read-only handle: every page of the
// tree and every record once, in this goroutine (where a fault or a
// bbolt panic is caught), and then, when the freelist is on its page,
// bbolt's own consistency check (in a goroutine of bbolt's, which by
// then has nothing left to fault on).
func verify(path string, freelistSynced bool) error {
	opt := boltOptions(true)
	opt.PreLoadFreelist = freelistSynced // read here, not in the check's goroutine
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, opt)
		return err
	})
	if err != nil {
		return openError(path, err)
	}
	err = guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			if err := walk(tx); err != nil || !freelistSynced {
				return err
			}
			return firstCheckError(tx)
		})
	})
	if se := new(storeError); err != nil && !errors.As(err, &se) {
		err = damaged(path, fmt.Sprintf("is corrupt (%v)", err))
	}
	if cerr := guard(path, db.Close); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// firstCheckError runs bbolt's consistency check to the end and returns
// its first finding.
func firstCheckError(tx *bolt.Tx) error {
	var first error
	for err := range tx.Check() {
		if first == nil {
			first = err
		}
	}
	return first
}

// walk reads the whole tree and checks the shape of every record,
// touching the first and last byte of each (a value that runs off the
// end of the file faults here, where guard catches it).
func walk(tx *bolt.Tx) error {
	tills := tx.Bucket(bucketTills)
	if tills == nil {
		return nil
	}
	var touched byte
	defer runtime.KeepAlive(&touched)
	return tills.ForEachBucket(func(name []byte) error {
		tb := tills.Bucket(name)
		notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
		if notes == nil || acked == nil {
			return fmt.Errorf("till %q has lost its buckets", name)
		}
		err := notes.ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) < valueHead || len(v) < valueHead+int(binary.BigEndian.Uint16(v[8:])) {
				return fmt.Errorf("till %q has a malformed notification", name)
			}
			touched ^= v[len(v)-1]
			return nil
		})
		if err != nil {
			return err
		}
		return acked.ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 8 {
				return fmt.Errorf("till %q has a malformed acknowledgement", name)
			}
			return nil
		})
	})
}

// guard runs fn with memory faults turned into panics, and a panic
// (bbolt panics on pages it cannot make sense of) into a damage error.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = damaged(path, fmt.Sprintf("is corrupt (bbolt: %v)", p))
		}
	}()
	return fn()
}

// openError words a failed bolt.Open.
func openError(path string, err error) error {
	var se *storeError
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return inUse(path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return damaged(path, fmt.Sprintf("is corrupt (bbolt: %v)", err))
	default:
		return fmt.Errorf("open relay store %s: %w", path, err)
	}
}
