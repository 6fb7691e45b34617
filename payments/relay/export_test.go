package relay

import (
	"errors"
	"io"

	bolt "go.etcd.io/bbolt"
)

// boltOf is the server's bbolt store.
func boltOf(s *Server) *BoltStore { return s.st.(*BoltStore) }

// FailWrites makes every later notification write fail with err (nil
// restores normal writes).
func FailWrites(s *Server, err error) {
	if err == nil {
		boltOf(s).failAppends.Store(nil)
		return
	}
	boltOf(s).failAppends.Store(&err)
}

// BeforeCommit makes the bbolt writer call hook, with the number of
// operations it is about to commit, before each commit (nil: no hook).
func BeforeCommit(st *BoltStore, hook func(n int)) {
	if hook == nil {
		st.beforeCommit.Store(nil)
		return
	}
	st.beforeCommit.Store(&hook)
}

// QueuedOps is how many operations wait for the bbolt writer.
func QueuedOps(st *BoltStore) int { return len(st.ops) }

// Lingering is how many operations the bbolt writer holds while it
// waits for more to share their commit.
func Lingering(st *BoltStore) int { return int(st.lingering.Load()) }

// RateBuckets is how many rate-limit buckets the server keeps.
func RateBuckets(s *Server) int { return s.limit.size() }

// SourceKey is sourceKey.
func SourceKey(remoteAddr string) string { return sourceKey(remoteAddr) }

// CheckStore runs bbolt's consistency check on the server's file.
func CheckStore(s *Server) error {
	st, ok := s.st.(*BoltStore)
	if !ok {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.db == nil {
		return nil
	}
	// In a write transaction, so no concurrent commit can look like a
	// freelist error (as bbolt's own test helpers do).
	return st.db.Update(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// SSE is one event as the client's reader parses it.
type SSE = sseEvent

// ReadSSE returns a function that reads the next event from r.
func ReadSSE(r io.Reader) func() (SSE, error) {
	rd := newSSEReader(r)
	return func() (SSE, error) { return rd.next(func() {}) }
}
