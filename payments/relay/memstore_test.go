package relay_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"qrtill/payments/relay"
)

// memStore is a relay.Store in memory: the smallest other backend, to
// show the server needs nothing but the interface.
type memStore struct {
	quota  relay.Quota
	mu     sync.Mutex
	closed bool
	tills  map[string]*memTill
}

type memTill struct {
	seq, through uint64
	notes        map[uint64]relay.Event
	acked        map[uint64]time.Time
}

func newMemStore(q relay.Quota) *memStore {
	if q.Count == 0 {
		q.Count = relay.DefaultQuotaCount
	}
	return &memStore{quota: q, tills: map[string]*memTill{}}
}

func (m *memStore) till(id string) *memTill {
	t := m.tills[id]
	if t == nil {
		t = &memTill{notes: map[uint64]relay.Event{}, acked: map[uint64]time.Time{}}
		m.tills[id] = t
	}
	return t
}

func (m *memStore) Append(_ context.Context, till string, e relay.Event) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, relay.ErrStoreClosed
	}
	t := m.till(till)
	if len(t.notes) >= m.quota.Count {
		return 0, relay.ErrQuota
	}
	t.seq++
	e.ID = t.seq
	t.notes[e.ID] = e
	return e.ID, nil
}

func (m *memStore) Read(_ context.Context, till string, after uint64, limit int) ([]relay.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.till(till)
	var out []relay.Event
	for id := after + 1; id <= t.seq && len(out) < limit; id++ {
		if e, ok := t.notes[id]; ok && t.acked[id].IsZero() {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) Ack(_ context.Context, till string, ids []uint64, at time.Time) ([]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.till(till)
	for _, id := range ids {
		if id == 0 || id > t.seq {
			return nil, fmt.Errorf("ack %d: %w", id, relay.ErrAckUnknown)
		}
	}
	var received []time.Time
	for _, id := range ids {
		if e, ok := t.notes[id]; ok && t.acked[id].IsZero() {
			t.acked[id] = at
			received = append(received, e.ReceivedAt)
		}
	}
	for t.through < t.seq {
		if _, stored := t.notes[t.through+1]; stored && t.acked[t.through+1].IsZero() {
			break
		}
		t.through++
	}
	return received, nil
}

func (m *memStore) Prune(_ context.Context, cutoff, ackedCutoff time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, t := range m.tills {
		for id, e := range t.notes {
			at := t.acked[id]
			if e.ReceivedAt.Before(cutoff) || !at.IsZero() && at.Before(ackedCutoff) {
				delete(t.notes, id)
				delete(t.acked, id)
				n++
			}
		}
	}
	return n, nil
}

func (m *memStore) Stats(_ context.Context, till string) (relay.TillStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tills[till]
	if !ok {
		return relay.TillStats{}, nil
	}
	s := relay.TillStats{LastID: t.seq, AckedThrough: t.through, Stored: len(t.notes)}
	for id, e := range t.notes {
		s.StoredBytes += int64(len(e.Body))
		if t.acked[id].IsZero() {
			s.Backlog++
		}
	}
	return s, nil
}

func (m *memStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
