package relay

import (
	"context"
	"errors"
	"time"
)

// Store is where the relay keeps notifications until their till has
// them. The HTTP server and the SSE stream use nothing else, so another
// backend (NATS JetStream, issue 15) plugs in by implementing it; the
// bbolt file ([OpenBoltStore]) is the default. storeContract in the
// package's tests is the behaviour every implementation must show; run
// it on a new one.
//
// Ids are a per-till sequence starting at 1, never reused. A store must
// be safe for concurrent use.
type Store interface {
	// Append stores e for till durably (synced to disk, or acknowledged
	// by a quorum) and only then returns its id. It returns ErrQuota when
	// the till has no room left, and never an id for what it did not keep.
	Append(ctx context.Context, till string, e Event) (uint64, error)
	// Read returns up to limit notifications of till that are not
	// acknowledged and have an id above after, in id order, copied out.
	Read(ctx context.Context, till string, after uint64, limit int) ([]Event, error)
	// Ack marks ids of till acknowledged at `at`. An id never given out
	// fails the whole ack with ErrAckUnknown and changes nothing; an id
	// already acknowledged or pruned is ignored. It returns when each
	// notification it newly acknowledged had been received, for the ack
	// latency.
	Ack(ctx context.Context, till string, ids []uint64, at time.Time) ([]time.Time, error)
	// Prune deletes notifications acknowledged before ackedCutoff and any
	// received before cutoff, and reports how many it deleted.
	Prune(ctx context.Context, cutoff, ackedCutoff time.Time) (int, error)
	// Stats describes one till's notifications; a till with none yet
	// has zero stats.
	Stats(ctx context.Context, till string) (TillStats, error)
	// Close releases the store. Appends still queued are finished first.
	Close() error
}

// TillStats is one till's part of a Store.
type TillStats struct {
	LastID       uint64 // the last id given out (0: none yet)
	AckedThrough uint64 // every id up to here is acknowledged or pruned
	Backlog      int    // stored and not acknowledged
	Stored       int    // stored, acknowledged or not, until pruned
	StoredBytes  int64  // bytes of the Stored notifications as kept
}

// Quota bounds what one till may have stored at a time (acknowledged or
// not, until pruned), so that one host posting junk for a known till
// cannot fill the disk. Zero fields mean the defaults.
type Quota struct {
	Count int   // notifications
	Bytes int64 // bytes as stored
}

// Defaults of a Quota: a busy shop gets a few hundred notifications an
// hour, each about 1–2 KB.
const (
	DefaultQuotaCount = 10000
	DefaultQuotaBytes = 32 << 20
)

func (q Quota) withDefaults() Quota {
	if q.Count <= 0 {
		q.Count = DefaultQuotaCount
	}
	if q.Bytes <= 0 {
		q.Bytes = DefaultQuotaBytes
	}
	return q
}

// Errors of a Store.
var (
	// ErrQuota: the till's quota is full; the provider is told to try
	// again later (it does, for a day or more).
	ErrQuota = errors.New("the till's storage quota is full")
	// ErrAckUnknown: an ack names an id the relay never gave out.
	ErrAckUnknown = errors.New("no such notification id")
	// ErrStoreClosed: the store was closed.
	ErrStoreClosed = errors.New("relay store is closed")
	// ErrStoreDamaged: the store's file is not a relay store, or is cut
	// short or corrupt; the relay refuses to start on it.
	ErrStoreDamaged = errors.New("relay store is damaged")
	// ErrStoreInUse: another process holds the store's file.
	ErrStoreInUse = errors.New("relay store is in use")
)

// resumePoint is where a till's stream starts: after the last id up to
// which everything is acknowledged, or after lastEventID if that is
// later (and not beyond the last id given out).
func resumePoint(st TillStats, lastEventID uint64) uint64 {
	if lastEventID > st.AckedThrough {
		return min(lastEventID, st.LastID)
	}
	return st.AckedThrough
}
