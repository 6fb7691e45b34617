package relay

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BoltOptions configure a BoltStore. Zero fields mean the defaults.
type BoltOptions struct {
	// Tills get their buckets at open (others are created on first use).
	Tills []string
	// Quota bounds each till's stored notifications.
	Quota Quota
	// MaxBatch bounds how many appends and acks one commit takes
	// (default 1024).
	MaxBatch int
	// BatchDelay is how long the writer waits for more work after the
	// first of a commit; 0 (the default) commits at once, and what
	// arrives during a commit waits for the next one, so commits grow
	// with the load by themselves.
	BatchDelay time.Duration
	// AckDelay is how long a commit of acknowledgements alone waits for
	// a notification to share its fsync (default 5 ms; negative: none).
	AckDelay time.Duration
	// CompactAbove: after pruning, a file at least this big of which at
	// least half is free space is compacted into a new file that
	// replaces it (default 8 MiB; negative never compacts).
	CompactAbove int64
	// Log gets the store's log lines (compactions); nil discards.
	Log *slog.Logger
}

// Defaults of BoltOptions.
const (
	DefaultMaxBatch     = 1024
	DefaultAckDelay     = 5 * time.Millisecond
	DefaultCompactAbove = 8 << 20
)

func (o *BoltOptions) fill() {
	o.Quota = o.Quota.withDefaults()
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.AckDelay == 0 {
		o.AckDelay = DefaultAckDelay
	}
	if o.CompactAbove == 0 {
		o.CompactAbove = DefaultCompactAbove
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// BoltStore is the default Store: one bbolt file, DIR/relay.db, written
// by one goroutine that commits every append and ack waiting for it in
// one transaction (one fsync pair for all of them).
type BoltStore struct {
	path string
	opt  BoltOptions

	// mu guards db: reads and commits hold it shared, compaction (which
	// swaps the file) exclusively.
	mu sync.RWMutex
	db *bolt.DB

	// submit guards ops against sends after Close.
	submit     sync.RWMutex
	closed     bool
	ops        chan *op
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	stats commitCounters
	// failAppends, when set (tests only), makes appends fail unwritten.
	failAppends atomic.Pointer[error]
	// lingering is how many operations the writer holds while it waits
	// for more (tests watch it).
	lingering atomic.Int32
	// beforeCommit, when set (tests only), runs before each commit with
	// the number of operations in it.
	beforeCommit atomic.Pointer[func(n int)]
}

// StoreFile is the name of the relay's bbolt file in its data dir.
const StoreFile = "relay.db"

// OpenBoltStore opens or creates DIR/relay.db (mode 0600). A file that is
// not a relay store, cut short or corrupt is refused with
// ErrStoreDamaged, one held by another process with ErrStoreInUse; each
// error is one sentence naming the file and the fix.
func OpenBoltStore(dir string, opt BoltOptions) (*BoltStore, error) {
	opt.fill()
	if dir == "" {
		return nil, fmt.Errorf("relay data dir is empty; pass --data DIR")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create relay data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, StoreFile)
	os.Remove(compactPath(path)) // left by a compaction that did not finish
	db, err := openChecked(path)
	if err != nil {
		return nil, err
	}
	if err := prepare(db, opt.Tills); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare relay store %s: %w", path, err)
	}
	s := &BoltStore{path: path, opt: opt, db: db, ops: make(chan *op, 4*opt.MaxBatch), writerDone: make(chan struct{})}
	go s.writeLoop()
	return s, nil
}

// Path is the store's file.
func (s *BoltStore) Path() string { return s.path }

// Close commits what is queued, stops the writer and closes the file.
func (s *BoltStore) Close() error {
	s.closeOnce.Do(func() {
		s.submit.Lock()
		s.closed = true
		close(s.ops)
		s.submit.Unlock()
		<-s.writerDone
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.db != nil {
			s.closeErr = s.db.Close()
			s.db = nil
		}
	})
	return s.closeErr
}

// view runs fn in a read transaction.
func (s *BoltStore) view(fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return ErrStoreClosed
	}
	return s.db.View(fn)
}

// Read returns up to limit unacknowledged notifications of till with id
// above after, in id order, copied out of the transaction.
func (s *BoltStore) Read(_ context.Context, till string, after uint64, limit int) ([]Event, error) {
	var out []Event
	err := s.view(func(tx *bolt.Tx) error {
		tb := tillBucket(tx, till)
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

// Stats reads one till's counters.
func (s *BoltStore) Stats(_ context.Context, till string) (TillStats, error) {
	var st TillStats
	err := s.view(func(tx *bolt.Tx) error {
		if tb := tillBucket(tx, till); tb != nil {
			st = readTillStats(tb)
		}
		return nil
	})
	if err != nil {
		return TillStats{}, fmt.Errorf("read stats of %s: %w", till, err)
	}
	return st, nil
}

// FileSize is the size of the store's file on disk.
func (s *BoltStore) FileSize() (int64, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, fmt.Errorf("stat relay store: %w", err)
	}
	return fi.Size(), nil
}
