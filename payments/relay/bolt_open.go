package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
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

// verify reads the file through a read-only handle, in this goroutine
// (where a fault or a bbolt panic is caught): every bucket, key and
// value once, and, when the freelist is on its page, every page header.
// Only then does it run bbolt's own consistency check, which runs in a
// goroutine of bbolt's where a panic would kill the process, but which
// by then has nothing left to trip on.
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
			if err := sweepPages(tx, path); err != nil {
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

// sweepPages reads the header of every page below the high-water mark:
// each is free, or starts a node (branch, leaf, freelist) that names
// itself (bbolt asserts that, and in its check's goroutine a failed
// assertion kills the process) and whose overflow stays inside the file.
func sweepPages(tx *bolt.Tx, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	ps := int64(tx.DB().Info().PageSize)
	end := int(tx.Size() / ps)
	head := make([]byte, 8)
	for id := 2; id < end; {
		info, err := tx.Page(id)
		if err != nil || info == nil {
			return err
		}
		switch info.Type {
		case "free":
			id++
			continue
		case "branch", "leaf", "freelist":
		default:
			return fmt.Errorf("page %d is of no known type (%s)", id, info.Type)
		}
		if _, err := f.ReadAt(head, int64(id)*ps); err != nil {
			return err
		}
		if got := binary.NativeEndian.Uint64(head); got != uint64(id) {
			return fmt.Errorf("page %d calls itself page %d", id, got)
		}
		if id+info.OverflowCount >= end {
			return fmt.Errorf("page %d runs past the end of the file", id)
		}
		id += info.OverflowCount + 1
	}
	return nil
}

// walk opens every bucket and reads every key and value (their first
// and last bytes: one that runs off the end of the map faults here),
// and checks the shape of the relay's own records.
func walk(tx *bolt.Tx) error {
	var touched byte
	defer runtime.KeepAlive(&touched)
	touch := func(b []byte) {
		if len(b) > 0 {
			touched ^= b[0] ^ b[len(b)-1]
		}
	}
	var visit func(path string, b *bolt.Bucket) error
	visit = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			touch(k)
			if v == nil {
				child := b.Bucket(k)
				if child == nil {
					return fmt.Errorf("bucket %s/%q cannot be opened", path, k)
				}
				return visit(path+"/"+string(k), child)
			}
			touch(v)
			return checkRecord(path, k, v)
		})
	}
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return visit(string(name), b) })
}

// checkRecord checks the shape of one record of the relay's layout.
func checkRecord(path string, k, v []byte) error {
	switch {
	case strings.HasSuffix(path, "/"+string(bucketNotes)):
		if len(k) != 8 || len(v) < valueHead || len(v) < valueHead+int(binary.BigEndian.Uint16(v[8:])) {
			return fmt.Errorf("%s has a malformed notification", path)
		}
	case strings.HasSuffix(path, "/"+string(bucketAcked)):
		if len(k) != 8 || len(v) != 8 {
			return fmt.Errorf("%s has a malformed acknowledgement", path)
		}
	}
	return nil
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
