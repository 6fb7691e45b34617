package relay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/relay"
)

// openStore makes a fresh Store of one implementation with a quota.
type openStore func(t *testing.T, q relay.Quota) relay.Store

// storeContract is what every relay.Store must do; the bbolt store, the
// in-memory one below and, next, the JetStream one run it.
func storeContract(t *testing.T, open openStore) {
	t.Run("appends, reads and acks", func(t *testing.T) { contractAppendReadAck(t, open(t, relay.Quota{})) })
	t.Run("prunes by age", func(t *testing.T) { contractPrune(t, open(t, relay.Quota{})) })
	t.Run("quota", func(t *testing.T) { contractQuota(t, open(t, relay.Quota{Count: 2})) })
	t.Run("concurrent appends", func(t *testing.T) { contractConcurrent(t, open(t, relay.Quota{})) })
	t.Run("closed", func(t *testing.T) {
		st := open(t, relay.Quota{})
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(context.Background(), "shop-1", event("x", time.Now())); !errors.Is(err, relay.ErrStoreClosed) {
			t.Errorf("Append after Close: %v, want ErrStoreClosed", err)
		}
	})
}

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 123456789, time.UTC)

func event(body string, at time.Time) relay.Event {
	return relay.Event{Channel: payments.WeChat, ReceivedAt: at, Header: http.Header{"Wechatpay-Serial": {"PUB_KEY_ID_1"}}, Body: []byte(body)}
}

func mustAppend(t *testing.T, st relay.Store, till, body string, at time.Time) uint64 {
	t.Helper()
	id, err := st.Append(context.Background(), till, event(body, at))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ids(es []relay.Event) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func mustRead(t *testing.T, st relay.Store, till string, after uint64, limit int) []relay.Event {
	t.Helper()
	es, err := st.Read(context.Background(), till, after, limit)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func mustStats(t *testing.T, st relay.Store, till string) relay.TillStats {
	t.Helper()
	s, err := st.Stats(context.Background(), till)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contractAppendReadAck(t *testing.T, st relay.Store) {
	ctx := context.Background()
	for i, body := range []string{"a", "b", "c", "d"} {
		if id := mustAppend(t, st, "shop-1", body, t0.Add(time.Duration(i)*time.Second)); id != uint64(i+1) {
			t.Fatalf("id %d, want %d", id, i+1)
		}
	}
	if id := mustAppend(t, st, "shop-2", "z", t0); id != 1 {
		t.Fatalf("shop-2's first id %d, want its own sequence", id)
	}
	es := mustRead(t, st, "shop-1", 0, 10)
	if !slices.Equal(ids(es), []uint64{1, 2, 3, 4}) || string(es[1].Body) != "b" || es[1].Channel != payments.WeChat ||
		!es[1].ReceivedAt.Equal(t0.Add(time.Second)) || es[1].Header.Get("Wechatpay-Serial") != "PUB_KEY_ID_1" {
		t.Fatalf("read %+v", es)
	}
	if got := ids(mustRead(t, st, "shop-1", 1, 2)); !slices.Equal(got, []uint64{2, 3}) {
		t.Fatalf("after 1, limit 2: %v", got)
	}
	if _, err := st.Ack(ctx, "shop-1", []uint64{2, 9}, t0); !errors.Is(err, relay.ErrAckUnknown) {
		t.Fatalf("ack of an id never given out: %v", err)
	}
	received, err := st.Ack(ctx, "shop-1", []uint64{1, 3}, t0.Add(time.Minute))
	if err != nil || len(received) != 2 || !received[1].Equal(t0.Add(2*time.Second)) {
		t.Fatalf("ack: %v %v", received, err)
	}
	if again, err := st.Ack(ctx, "shop-1", []uint64{1}, t0); err != nil || len(again) != 0 {
		t.Fatalf("ack again: %v %v, want nothing new", again, err)
	}
	if got := ids(mustRead(t, st, "shop-1", 0, 10)); !slices.Equal(got, []uint64{2, 4}) {
		t.Fatalf("unacknowledged %v, want [2 4] (the failed ack changed nothing)", got)
	}
	s := mustStats(t, st, "shop-1")
	if s.LastID != 4 || s.AckedThrough != 1 || s.Backlog != 2 || s.Stored != 4 || s.StoredBytes < 4 {
		t.Fatalf("stats %+v", s)
	}
	st.Ack(ctx, "shop-1", []uint64{2}, t0)
	if s := mustStats(t, st, "shop-1"); s.AckedThrough != 3 || s.Backlog != 1 {
		t.Fatalf("after acking 2: %+v, want acked through 3", s)
	}
	if s := mustStats(t, st, "nobody"); s != (relay.TillStats{}) {
		t.Fatalf("a till with nothing: %+v", s)
	}
}

func contractPrune(t *testing.T, st relay.Store) {
	ctx := context.Background()
	for i := range 4 {
		mustAppend(t, st, "shop-1", fmt.Sprint(i), t0.Add(time.Duration(i)*time.Hour))
	}
	st.Ack(ctx, "shop-1", []uint64{1, 2}, t0.Add(90*time.Minute))
	st.Ack(ctx, "shop-1", []uint64{4}, t0.Add(5*time.Hour))
	// Acknowledged before 2 h, or received before 2 h 30: 1, 2 and 3.
	n, err := st.Prune(ctx, t0.Add(150*time.Minute), t0.Add(2*time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want 3", n, err)
	}
	s := mustStats(t, st, "shop-1")
	if s.Stored != 1 || s.Backlog != 0 || s.LastID != 4 {
		t.Fatalf("after pruning: %+v", s)
	}
	if n, _ := st.Prune(ctx, t0.Add(24*time.Hour), t0.Add(24*time.Hour)); n != 1 {
		t.Fatalf("pruned %d, want the last one", n)
	}
	if id := mustAppend(t, st, "shop-1", "next", t0); id != 5 {
		t.Fatalf("after pruning everything the next id is %d, want 5", id)
	}
}

func contractQuota(t *testing.T, st relay.Store) {
	mustAppend(t, st, "shop-1", "a", t0)
	mustAppend(t, st, "shop-1", "b", t0)
	if _, err := st.Append(context.Background(), "shop-1", event("c", t0)); !errors.Is(err, relay.ErrQuota) {
		t.Fatalf("over the quota: %v, want ErrQuota", err)
	}
	if s := mustStats(t, st, "shop-1"); s.Stored != 2 || s.LastID != 2 {
		t.Fatalf("a refused append left %+v", s)
	}
	mustAppend(t, st, "shop-2", "own quota", t0)
}

func contractConcurrent(t *testing.T, st relay.Store) {
	var wg sync.WaitGroup
	got := make([]uint64, 50)
	for i := range got {
		wg.Go(func() {
			id, err := st.Append(context.Background(), "shop-1", event(fmt.Sprint(i), t0))
			if err != nil {
				t.Error(err)
			}
			got[i] = id
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, id := range got {
		if id != uint64(i+1) {
			t.Fatalf("ids %v, want 1…50 once each", got)
		}
	}
}

func TestBoltStoreKeepsTheStoreContract(t *testing.T) {
	storeContract(t, func(t *testing.T, q relay.Quota) relay.Store {
		st, err := relay.OpenBoltStore(t.TempDir(), relay.BoltOptions{Quota: q})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestMemStoreKeepsTheStoreContract(t *testing.T) {
	storeContract(t, func(t *testing.T, q relay.Quota) relay.Store { return newMemStore(q) })
}

// The HTTP server and the stream know nothing of bbolt: on another
// Store the whole provider → relay → till path works unchanged.
func TestTheServerRunsOnAnyStore(t *testing.T) {
	s, err := relay.NewServer(newMemStore(relay.Quota{}), relay.Options{Tokens: testTokens, Heartbeat: 50 * time.Millisecond, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, s: s, srv: httptest.NewServer(s)}
	t.Cleanup(func() { s.Close(); r.srv.Close() })
	r.mustPost("shop-1", "alipay", "1")
	r.mustPost("shop-1", "wechat", "2")
	var f till
	c := r.runClient("shop-1", "tok-1", f.handle)
	waitFor(t, "both at the till", func() bool { return f.count() == 2 && c.Connected() })
	waitFor(t, "both acknowledged", func() bool { return r.backlog("shop-1") == 0 })
	if string(f.bodies[1]) != note("wechat", "2") {
		t.Fatalf("body %q", f.bodies[1])
	}
}
