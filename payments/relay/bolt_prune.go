package relay

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Prune deletes, for every till, notifications acknowledged before
// ackedCutoff and any received before cutoff (acknowledged or not), and
// reports how many it deleted. When that leaves most of a big file
// empty, the file is compacted (bbolt never shrinks a file by itself).
func (s *BoltStore) Prune(_ context.Context, cutoff, ackedCutoff time.Time) (int, error) {
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		tills := tx.Bucket(bucketTills)
		return tills.ForEachBucket(func(name []byte) error {
			dropped, err := pruneTill(tills.Bucket(name), cutoff, ackedCutoff)
			n += dropped
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("prune notifications: %w", err)
	}
	if n > 0 {
		if err := s.maybeCompact(); err != nil {
			s.opt.Log.Warn(fmt.Sprintf("%v", err))
		}
	}
	return n, nil
}

// pruneTill deletes one till's notifications past their retention and
// keeps its counts.
func pruneTill(tb *bolt.Bucket, cutoff, ackedCutoff time.Time) (int, error) {
	notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
	c := readCounts(tb)
	var drop [][]byte
	err := notes.ForEach(func(k, v []byte) error {
		at := acked.Get(k)
		old := len(v) >= 8 && receivedAt(v).Before(cutoff)
		if old || at != nil && time.Unix(0, int64(getU64(at))).Before(ackedCutoff) {
			drop = append(drop, append([]byte(nil), k...))
			c.stored--
			c.bytes -= uint64(len(v))
			if at == nil {
				c.backlog--
			}
		}
		return nil
	})
	if err != nil || len(drop) == 0 {
		return 0, err
	}
	for _, k := range drop {
		if err := notes.Delete(k); err != nil {
			return 0, err
		}
		if err := acked.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(drop), writeCounts(tb, c)
}

// compactPath is where a compaction writes the new file.
func compactPath(path string) string { return path + ".compact" }

// maybeCompact compacts the file when it is at least CompactAbove bytes
// and less than half of it is in use.
func (s *BoltStore) maybeCompact() error {
	if s.opt.CompactAbove < 0 {
		return nil
	}
	size, err := s.FileSize()
	if err != nil || size < s.opt.CompactAbove {
		return err
	}
	var used int64
	err = s.view(func(tx *bolt.Tx) error {
		st := tx.DB().Stats()
		used = tx.Size() - int64(st.FreePageN+st.PendingPageN)*int64(tx.DB().Info().PageSize)
		return nil
	})
	if err != nil || used*2 > size {
		return err
	}
	return s.compact(size)
}

// compact copies the live data into a new file, synced, and swaps it in
// by rename; reads and commits wait meanwhile. If anything fails before
// the rename the old file stays in use; a crash leaves either the old
// file or the new one, plus a temporary file the next open removes.
func (s *BoltStore) compact(before int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return ErrStoreClosed
	}
	tmp := compactPath(s.path)
	if err := copyCompacted(s.db, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact relay store %s: %w", s.path, err)
	}
	if err := s.db.Close(); err != nil {
		os.Remove(tmp)
		return s.reopen(fmt.Errorf("compact relay store %s: close the old file: %w", s.path, err))
	}
	s.db = nil
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return s.reopen(fmt.Errorf("compact relay store %s: %w", s.path, err))
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		s.opt.Log.Warn(fmt.Sprintf("compact: %v", err))
	}
	if err := s.reopen(nil); err != nil {
		return err
	}
	after, _ := s.FileSize()
	s.opt.Log.Info(fmt.Sprintf("compacted %s from %d to %d bytes", s.path, before, after))
	return nil
}

// copyCompacted writes src's live data to a new file at dst, synced.
func copyCompacted(src *bolt.DB, dst string) error {
	os.Remove(dst)
	opt := boltOptions(false)
	opt.NoSync = true // one sync at the end instead of one per chunk
	db, err := bolt.Open(dst, 0o600, opt)
	if err != nil {
		return err
	}
	err = bolt.Compact(db, src, 16<<20)
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// reopen opens the store's file again (with mu held) and returns why,
// or an error of its own if the file cannot be opened: then every
// operation fails with ErrStoreClosed and the providers retry later.
func (s *BoltStore) reopen(why error) error {
	db, err := bolt.Open(s.path, 0o600, boltOptions(false))
	if err != nil {
		return fmt.Errorf("reopen relay store %s after compaction: %w", s.path, err)
	}
	s.db = db
	return why
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
