package relay

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// errAckUnknown: an ack names an id the relay never gave out.
var errAckUnknown = errors.New("no such notification id")

// store is the relay's durable queue: one bbolt file, one sequence per till.
type store struct {
	db *bolt.DB
	// failAdd, when set (tests only), makes add fail without writing.
	failAdd atomic.Pointer[error]
}

// openStore opens or creates DIR/relay.db (mode 0600) with every known
// till's buckets, in one transaction.
func openStore(dir string, batchDelay time.Duration, tills []string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create relay data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, "relay.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        time.Second,
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open relay store %s (is another relay using this data dir?): %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("restrict relay store %s: %w", path, err)
	}
	db.MaxBatchDelay = batchDelay
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := getU64(meta.Get(keySchema)); v > schemaVersion {
			return fmt.Errorf("schema version %d is newer than this relay's %d; run the newer relay", v, schemaVersion)
		}
		if err := meta.Put(keySchema, u64(schemaVersion)); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketTills); err != nil {
			return err
		}
		for _, till := range tills {
			if _, err := tillBucket(tx, till, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare relay store %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

// tillBucket returns a till's bucket, creating it and its sub-buckets if
// asked (in a writable transaction); nil if it does not exist.
func tillBucket(tx *bolt.Tx, till string, create bool) (*bolt.Bucket, error) {
	tills := tx.Bucket(bucketTills)
	if !create {
		return tills.Bucket([]byte(till)), nil
	}
	tb, err := tills.CreateBucketIfNotExists([]byte(till))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{bucketNotes, bucketAcked} {
		if _, err := tb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return tb, nil
}

// add stores a notification for a till, synced to disk, and returns its
// id. Concurrent adds share one commit (bbolt Batch), so throughput does
// not die on fsync.
func (s *store) add(till string, e Event) (uint64, error) {
	if p := s.failAdd.Load(); p != nil {
		return 0, *p
	}
	v, err := encodeEvent(e)
	if err != nil {
		return 0, err
	}
	var id uint64
	err = s.db.Batch(func(tx *bolt.Tx) error {
		tb, err := tillBucket(tx, till, true)
		if err != nil {
			return err
		}
		notes := tb.Bucket(bucketNotes)
		if id, err = notes.NextSequence(); err != nil {
			return err
		}
		return notes.Put(u64(id), v)
	})
	if err != nil {
		return 0, fmt.Errorf("store notification: %w", err)
	}
	return id, nil
}

// resumePoint is where a till's stream starts: after the last id up to
// which everything is acknowledged, or after lastEventID if that is
// later (and not beyond the last id given out).
func (s *store) resumePoint(till string, lastEventID uint64) (uint64, error) {
	var from uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, _ := tillBucket(tx, till, false)
		if tb == nil {
			return nil
		}
		from = getU64(tb.Get(keyAckedThru))
		if lastEventID > from {
			from = min(lastEventID, tb.Bucket(bucketNotes).Sequence())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read resume point of %s: %w", till, err)
	}
	return from, nil
}

// pending returns up to limit unacknowledged notifications of a till with
// id > after, in id order, copied out of the transaction.
func (s *store) pending(till string, after uint64, limit int) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, _ := tillBucket(tx, till, false)
		if tb == nil {
			return nil
		}
		acked := tb.Bucket(bucketAcked)
		c := tb.Bucket(bucketNotes).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			if acked.Get(k) != nil {
				continue
			}
			e, err := decodeEvent(getU64(k), v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notifications of %s: %w", till, err)
	}
	return out, nil
}

// ack marks ids of a till acknowledged at now and moves the till's
// acked-through point past every leading acknowledged id. An id beyond
// the till's sequence is refused; one already pruned is ignored.
func (s *store) ack(till string, ids []uint64, now time.Time) error {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		tb, err := tillBucket(tx, till, true)
		if err != nil {
			return err
		}
		notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
		seq := notes.Sequence()
		stamp := u64(uint64(now.UnixNano()))
		for _, id := range ids {
			if id == 0 || id > seq {
				return fmt.Errorf("ack %d (last id is %d): %w", id, seq, errAckUnknown)
			}
			k := u64(id)
			if notes.Get(k) != nil && acked.Get(k) == nil {
				if err := acked.Put(k, stamp); err != nil {
					return err
				}
			}
		}
		through := getU64(tb.Get(keyAckedThru))
		next := seq
		c := notes.Cursor()
		for k, _ := c.Seek(u64(through + 1)); k != nil; k, _ = c.Next() {
			if acked.Get(k) == nil {
				next = getU64(k) - 1
				break
			}
		}
		if next > through {
			return tb.Put(keyAckedThru, u64(next))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("acknowledge for %s: %w", till, err)
	}
	return nil
}

// backlogs counts each till's unacknowledged notifications.
func (s *store) backlogs(tills []string) (map[string]int, error) {
	out := make(map[string]int, len(tills))
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, till := range tills {
			tb, _ := tillBucket(tx, till, false)
			if tb == nil {
				out[till] = 0
				continue
			}
			acked := tb.Bucket(bucketAcked)
			n := 0
			c := tb.Bucket(bucketNotes).Cursor()
			for k, _ := c.Seek(u64(getU64(tb.Get(keyAckedThru)) + 1)); k != nil; k, _ = c.Next() {
				if acked.Get(k) == nil {
					n++
				}
			}
			out[till] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count backlog: %w", err)
	}
	return out, nil
}

// prune deletes, for every till, notifications acknowledged before
// ackedCutoff and any received before cutoff (acknowledged or not), and
// reports how many it deleted.
func (s *store) prune(cutoff, ackedCutoff time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTills).ForEachBucket(func(name []byte) error {
			tb := tx.Bucket(bucketTills).Bucket(name)
			notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
			var drop [][]byte
			err := notes.ForEach(func(k, v []byte) error {
				at := acked.Get(k)
				old := len(v) >= 8 && receivedAt(v).Before(cutoff)
				if old || at != nil && time.Unix(0, int64(getU64(at))).Before(ackedCutoff) {
					drop = append(drop, append([]byte(nil), k...))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range drop {
				if err := notes.Delete(k); err != nil {
					return err
				}
				if err := acked.Delete(k); err != nil {
					return err
				}
			}
			n += len(drop)
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("prune notifications: %w", err)
	}
	return n, nil
}
