package relay

import (
	"errors"
	"io"

	bolt "go.etcd.io/bbolt"
)

// FailWrites makes every later notification write fail with err (nil
// restores normal writes).
func FailWrites(s *Server, err error) {
	if err == nil {
		s.st.failAdd.Store(nil)
		return
	}
	s.st.failAdd.Store(&err)
}

// CheckStore runs bbolt's consistency check on the server's file.
func CheckStore(s *Server) error {
	// In a write transaction, so no concurrent commit can look like a
	// freelist error (as bbolt's own test helpers do).
	return s.st.db.Update(func(tx *bolt.Tx) error {
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
