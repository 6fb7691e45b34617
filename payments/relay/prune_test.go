package relay_test

import (
	"testing"
	"time"

	"qrtill/payments/relay"
)

func TestPruneKeepsEachNotificationForItsRetention(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: -1}) // defaults: 72 h, acked 1 h
	for range 3 {
		r.mustPost("shop-1", "alipay", "n=1")
	}
	r.ack("shop-1", "tok-1", `{"id":1}`)
	prune := func(want int) {
		t.Helper()
		n, err := r.s.Prune()
		if err != nil || n != want {
			t.Fatalf("Prune at %s: %d, %v; want %d", clock.Now().Format(time.TimeOnly), n, err, want)
		}
	}
	clock.Advance(59 * time.Minute)
	prune(0) // the acknowledged one is kept an hour
	clock.Advance(2 * time.Minute)
	prune(1) // now it goes; 2 and 3 are not acknowledged
	if n := r.backlog("shop-1"); n != 2 {
		t.Fatalf("backlog %d, want 2", n)
	}
	r.mustPost("shop-1", "wechat", "{}") // 4, received at 61 min
	clock.Advance(72*time.Hour - 61*time.Minute - time.Second)
	prune(0) // 2 and 3 are one second short of 72 h
	clock.Advance(2 * time.Second)
	prune(2) // past the retention window, acknowledged or not
	s := r.openStream("shop-1", "tok-1", nil)
	if e := s.next(); e.ID != 4 {
		t.Fatalf("after pruning got %d, want 4", e.ID)
	}
	clock.Advance(72 * time.Hour)
	prune(1)
	if n := r.backlog("shop-1"); n != 0 {
		t.Fatalf("backlog %d, want 0", n)
	}
	// The sequence does not restart after everything was pruned.
	r.mustPost("shop-1", "wechat", "{}")
	if e := s.next(); e.ID != 5 {
		t.Fatalf("next id %d, want 5", e.ID)
	}
}

func TestPruneLoopRunsOnTheServersClock(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: 10 * time.Minute, Retention: time.Hour})
	r.mustPost("shop-1", "alipay", "n=1")
	r.mustPost("shop-2", "wechat", "{}")
	waitFor(t, "the loop waiting on the clock", func() bool { return clock.pendingWaiters() == 1 })
	clock.Advance(10 * time.Minute)
	waitFor(t, "the loop waiting again", func() bool { return clock.pendingWaiters() == 1 })
	if b1, b2 := r.backlog("shop-1"), r.backlog("shop-2"); b1 != 1 || b2 != 1 {
		t.Fatalf("pruned too early: %d, %d", b1, b2)
	}
	clock.Advance(time.Hour)
	waitFor(t, "pruned by the loop", func() bool { return r.health().Backlog == 0 })
}
