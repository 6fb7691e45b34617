package relay

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// op is one append or ack waiting for the writer.
type op struct {
	till string
	// append
	value []byte
	// ack
	ids []uint64
	at  time.Time

	done chan opResult // buffered: the writer never blocks on it
}

type opResult struct {
	id       uint64      // append: the new id
	received []time.Time // ack: when each newly acked one was received
	err      error
}

// commitCounters count the writer's work, for benchmarks and metrics.
type commitCounters struct {
	commits, ops, fsyncs atomic.Uint64
}

// CommitStats is what the writer has done since open.
type CommitStats struct {
	Commits uint64 // transactions committed
	Ops     uint64 // appends and acks in them
	// Fsyncs the commits cost: bbolt v1.4 makes two per commit (the
	// pages, then the meta page) and one more when the file grows.
	Fsyncs uint64
}

// CommitStats reports the writer's counters.
func (s *BoltStore) CommitStats() CommitStats {
	return CommitStats{Commits: s.stats.commits.Load(), Ops: s.stats.ops.Load(), Fsyncs: s.stats.fsyncs.Load()}
}

// Append stores a notification for till, synced to disk, and returns its
// id. It waits for the writer, which commits it together with every
// other append and ack waiting at that moment.
func (s *BoltStore) Append(ctx context.Context, till string, e Event) (uint64, error) {
	v, err := encodeEvent(e)
	if err != nil {
		return 0, err
	}
	r, err := s.do(ctx, &op{till: till, value: v})
	if err != nil {
		return 0, fmt.Errorf("store notification: %w", err)
	}
	return r.id, nil
}

// Ack marks ids of till acknowledged at `at`, in the writer's next
// commit, and moves the till's acked-through point past every leading
// acknowledged id.
func (s *BoltStore) Ack(ctx context.Context, till string, ids []uint64, at time.Time) ([]time.Time, error) {
	r, err := s.do(ctx, &op{till: till, ids: ids, at: at})
	if err != nil {
		return nil, fmt.Errorf("acknowledge for %s: %w", till, err)
	}
	return r.received, nil
}

// do queues o for the writer and waits for its result.
func (s *BoltStore) do(ctx context.Context, o *op) (opResult, error) {
	o.done = make(chan opResult, 1)
	s.submit.RLock()
	if s.closed {
		s.submit.RUnlock()
		return opResult{}, ErrStoreClosed
	}
	select {
	case s.ops <- o:
	case <-ctx.Done():
		s.submit.RUnlock()
		return opResult{}, ctx.Err()
	}
	s.submit.RUnlock()
	r := <-o.done // the writer answers everything it took, even on Close
	return r, r.err
}

// writeLoop is the one writer: it takes the first waiting operation,
// everything else waiting (up to MaxBatch), commits them in one
// transaction and answers each. It ends when Close closes ops, after
// committing what was queued.
func (s *BoltStore) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*op, 0, s.opt.MaxBatch)
	for first := range s.ops {
		batch = append(batch[:0], first)
		batch = s.gather(batch)
		s.commit(batch)
	}
}

// gather adds what is waiting to batch. With BatchDelay it lingers that
// long for more; a batch of acks alone lingers up to AckDelay for an
// append to share its fsync (an ack need not be quick, a notification
// should).
func (s *BoltStore) gather(batch []*op) []*op {
	batch, open := s.drain(batch)
	wait := s.opt.BatchDelay
	if !hasAppend(batch) {
		wait = max(wait, s.opt.AckDelay)
	}
	if !open || wait <= 0 {
		return batch
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	defer s.lingering.Store(0)
	for len(batch) < s.opt.MaxBatch {
		s.lingering.Store(int32(len(batch)))
		select {
		case o, ok := <-s.ops:
			if !ok {
				return batch
			}
			if batch, open = s.drain(append(batch, o)); !open || s.opt.BatchDelay <= 0 && hasAppend(batch) {
				return batch
			}
		case <-t.C:
			return batch
		}
	}
	return batch
}

// drain adds what is waiting now to batch, up to MaxBatch; open is false
// once ops is closed.
func (s *BoltStore) drain(batch []*op) (_ []*op, open bool) {
	for len(batch) < s.opt.MaxBatch {
		select {
		case o, ok := <-s.ops:
			if !ok {
				return batch, false
			}
			batch = append(batch, o)
		default:
			return batch, true
		}
	}
	return batch, true
}

func hasAppend(batch []*op) bool {
	for _, o := range batch {
		if o.value != nil {
			return true
		}
	}
	return false
}

// commit applies batch in one transaction and answers every operation.
// An operation refused on its own (quota, unknown id) changes nothing
// and does not fail the others; a failed commit fails them all, and
// none of them is stored.
func (s *BoltStore) commit(batch []*op) {
	if hook := s.beforeCommit.Load(); hook != nil {
		(*hook)(len(batch))
	}
	results := make([]opResult, len(batch))
	err := s.update(func(tx *bolt.Tx) error {
		for i, o := range batch {
			r, err := s.apply(tx, o)
			if err != nil {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err == nil {
		s.stats.ops.Add(uint64(len(batch)))
	}
	for i, o := range batch {
		if err != nil {
			results[i] = opResult{err: err}
		}
		o.done <- results[i]
	}
}

// update runs fn in one write transaction and counts it.
func (s *BoltStore) update(fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return ErrStoreClosed
	}
	before, _ := s.FileSize()
	err := s.db.Update(fn)
	if err == nil {
		s.stats.commits.Add(1)
		s.stats.fsyncs.Add(2)
		if after, _ := s.FileSize(); after > before {
			s.stats.fsyncs.Add(1)
		}
	}
	return err
}

// apply does one operation inside the writer's transaction. A refusal of
// this operation alone is its result's err; a returned error fails the
// whole transaction.
func (s *BoltStore) apply(tx *bolt.Tx, o *op) (opResult, error) {
	tb, err := ensureTill(tx, o.till)
	if err != nil {
		return opResult{}, err
	}
	if o.value != nil {
		return s.applyAppend(tb, o.value)
	}
	return applyAck(tb, o.ids, o.at)
}

func (s *BoltStore) applyAppend(tb *bolt.Bucket, v []byte) (opResult, error) {
	if p := s.failAppends.Load(); p != nil {
		return opResult{err: *p}, nil
	}
	c := readCounts(tb)
	q := s.opt.Quota
	if c.stored+1 > uint64(q.Count) || c.bytes+uint64(len(v)) > uint64(q.Bytes) {
		return opResult{err: fmt.Errorf("%d notifications, %d bytes stored: %w", c.stored, c.bytes, ErrQuota)}, nil
	}
	notes := tb.Bucket(bucketNotes)
	id, err := notes.NextSequence()
	if err != nil {
		return opResult{}, err
	}
	if err := notes.Put(u64(id), v); err != nil {
		return opResult{}, err
	}
	c.stored++
	c.bytes += uint64(len(v))
	c.backlog++
	return opResult{id: id}, writeCounts(tb, c)
}

func applyAck(tb *bolt.Bucket, ids []uint64, at time.Time) (opResult, error) {
	notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
	seq := notes.Sequence()
	for _, id := range ids {
		if id == 0 || id > seq {
			return opResult{err: fmt.Errorf("ack %d (last id is %d): %w", id, seq, ErrAckUnknown)}, nil
		}
	}
	c := readCounts(tb)
	stamp := u64(uint64(at.UnixNano()))
	var received []time.Time
	for _, id := range ids {
		k := u64(id)
		v := notes.Get(k)
		if v == nil || acked.Get(k) != nil {
			continue
		}
		if err := acked.Put(k, stamp); err != nil {
			return opResult{}, err
		}
		c.backlog--
		received = append(received, receivedAt(v))
	}
	if err := writeCounts(tb, c); err != nil {
		return opResult{}, err
	}
	return opResult{received: received}, advanceAckedThrough(tb)
}

// advanceAckedThrough moves acked_through past every acknowledged (or
// pruned) id that follows it.
func advanceAckedThrough(tb *bolt.Bucket) error {
	notes, acked := tb.Bucket(bucketNotes), tb.Bucket(bucketAcked)
	through := getU64(tb.Get(keyAckedThru))
	next := notes.Sequence()
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
}
