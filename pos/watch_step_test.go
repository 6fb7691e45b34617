package pos

import (
	"errors"
	"testing"
	"time"
)

// The watcher's decisions, one by one: no goroutine, no clock, no store.

var stepT0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// stepPolicy is a readable policy: first query after 2 s (4 s with
// notifications), every 1 s for the first 10 s, then every 5 s; with
// notifications every 10 s; at most 5 queries; trouble backoff 3 s
// doubling up to 10 s.
func stepPolicy(notifying, noPolling bool) watchPolicy {
	return watchPolicy{notifying: notifying, noPolling: noPolling, poll: PollPolicy{
		FirstDelay: 2 * time.Second,
		Alone:      []PollPhase{{Until: 10 * time.Second, Every: time.Second}, {Every: 5 * time.Second}},
		Backstop:   []PollPhase{{Every: 10 * time.Second}},
		MaxQueries: 5,
		Retry:      3 * time.Second,
		RetryMax:   10 * time.Second,
	}}
}

// stepAttempt is an attempt issued at stepT0 with a one-minute window.
func stepAttempt(st AttemptStatus, intent Intent) Attempt {
	return Attempt{OutTradeNo: "A1", Status: st, Intent: intent, Amount: 100,
		CreatedAt: stepT0, ExpiresAt: stepT0.Add(time.Minute)}
}

func at(d time.Duration) time.Time { return stepT0.Add(d) }

func TestNextStep(t *testing.T) {
	sleep := func(d time.Duration) step { return step{kind: stepSleep, wait: d} }
	closeFor := func(i Intent) step { return step{kind: stepClose, intent: i} }
	query, stop := step{kind: stepQuery}, step{kind: stepStop}
	tests := []struct {
		name   string
		a      Attempt
		now    time.Time
		policy watchPolicy
		last   watchState
		want   step
	}{
		{"paid: stop", stepAttempt(AttemptPaid, ""), at(time.Second), stepPolicy(false, false), watchState{}, stop},
		{"closed: stop", stepAttempt(AttemptClosed, ""), at(time.Second), stepPolicy(false, false), watchState{}, stop},
		{"expired: stop", stepAttempt(AttemptExpired, ""), at(2 * time.Minute), stepPolicy(false, false), watchState{}, stop},
		{"before the first query: sleep until it", stepAttempt(AttemptWaiting, ""), at(500 * time.Millisecond), stepPolicy(false, false), watchState{}, sleep(1500 * time.Millisecond)},
		{"first query waits twice as long with notifications", stepAttempt(AttemptWaiting, ""), at(500 * time.Millisecond), stepPolicy(true, false), watchState{}, sleep(3500 * time.Millisecond)},
		{"first query due", stepAttempt(AttemptWaiting, ""), at(2 * time.Second), stepPolicy(false, false), watchState{}, query},
		{"creating is watched too", stepAttempt(AttemptCreating, ""), at(3 * time.Second), stepPolicy(false, false), watchState{}, query},
		{"next query planned: sleep until it", stepAttempt(AttemptScanned, ""), at(3 * time.Second), stepPolicy(false, false),
			watchState{sent: 1, nextQuery: at(4 * time.Second)}, sleep(time.Second)},
		{"next query due", stepAttempt(AttemptScanned, ""), at(4 * time.Second), stepPolicy(false, false),
			watchState{sent: 1, nextQuery: at(4 * time.Second)}, query},
		{"a sleep never passes the deadline", stepAttempt(AttemptWaiting, ""), at(58 * time.Second), stepPolicy(false, false),
			watchState{sent: 3, nextQuery: at(70 * time.Second)}, sleep(2 * time.Second)},
		{"budget spent: sleep to the deadline", stepAttempt(AttemptWaiting, ""), at(30 * time.Second), stepPolicy(false, false),
			watchState{sent: 5, nextQuery: at(31 * time.Second)}, sleep(30 * time.Second)},
		{"no polling: sleep to the deadline", stepAttempt(AttemptWaiting, ""), at(10 * time.Second), stepPolicy(true, true), watchState{}, sleep(50 * time.Second)},
		{"deadline: close as expiry", stepAttempt(AttemptWaiting, ""), at(time.Minute), stepPolicy(false, false),
			watchState{sent: 2, nextQuery: at(time.Minute)}, closeFor(IntentExpire)},
		{"deadline without polling: close", stepAttempt(AttemptScanned, ""), at(2 * time.Minute), stepPolicy(true, true), watchState{}, closeFor(IntentExpire)},
		{"cashier cancelled: close now", stepAttempt(AttemptWaiting, IntentCancel), at(time.Second), stepPolicy(false, false), watchState{}, closeFor(IntentCancel)},
		{"unconfirmed switch close: close again", stepAttempt(AttemptClosing, IntentSwitch), at(time.Second), stepPolicy(false, false),
			watchState{sent: 1, nextQuery: at(10 * time.Second)}, closeFor(IntentSwitch)},
		{"closing with no intent is expiry", stepAttempt(AttemptClosing, ""), at(5 * time.Second), stepPolicy(false, false), watchState{}, closeFor(IntentExpire)},
		{"abandoned QR closes even without polling", stepAttempt(AttemptCreating, IntentAbandon), at(0), stepPolicy(false, true), watchState{}, closeFor(IntentAbandon)},
	}
	for _, tt := range tests {
		if got := nextStep(tt.a, tt.now, tt.policy, tt.last); got != tt.want {
			t.Errorf("%s: nextStep = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestAfterQuery(t *testing.T) {
	outage := errors.New("outage")
	tests := []struct {
		name     string
		last     watchState
		now      time.Time
		policy   watchPolicy
		err      error
		want     watchState
		wantWait time.Duration
	}{
		{"answered early: the quick phase", watchState{}, at(2 * time.Second), stepPolicy(false, false), nil,
			watchState{sent: 1, nextQuery: at(3 * time.Second)}, time.Second},
		{"answered later: the slower phase", watchState{sent: 2, failures: 1}, at(12 * time.Second), stepPolicy(false, false), nil,
			watchState{sent: 3, nextQuery: at(17 * time.Second)}, 5 * time.Second},
		{"with notifications: the backstop", watchState{sent: 1}, at(4 * time.Second), stepPolicy(true, false), nil,
			watchState{sent: 2, nextQuery: at(14 * time.Second)}, 10 * time.Second},
		{"budget spent: wait out the window", watchState{sent: 4}, at(20 * time.Second), stepPolicy(false, false), nil,
			watchState{sent: 5, nextQuery: at(time.Minute)}, 40 * time.Second},
		{"failed: back off", watchState{sent: 1}, at(3 * time.Second), stepPolicy(false, false), outage,
			watchState{sent: 2, failures: 1, nextQuery: at(6 * time.Second)}, 3 * time.Second},
		{"failed again: back off longer", watchState{sent: 2, failures: 1}, at(6 * time.Second), stepPolicy(false, false), outage,
			watchState{sent: 3, failures: 2, nextQuery: at(12 * time.Second)}, 6 * time.Second},
		{"failed often: the longest backoff", watchState{sent: 4, failures: 3}, at(20 * time.Second), stepPolicy(false, false), outage,
			watchState{sent: 5, failures: 4, nextQuery: at(30 * time.Second)}, 10 * time.Second},
	}
	for _, tt := range tests {
		got, wait := tt.last.afterQuery(stepAttempt(AttemptWaiting, ""), tt.now, tt.policy, tt.err)
		if got != tt.want || wait != tt.wantWait {
			t.Errorf("%s: afterQuery = %+v, %s; want %+v, %s", tt.name, got, wait, tt.want, tt.wantWait)
		}
	}
}

// TestWatchPlan runs nextStep and afterQuery together as the watcher's
// loop would, on a pretend clock, for an attempt nobody pays: the queries
// follow the policy, stop at the budget, and the deadline closes it.
func TestWatchPlan(t *testing.T) {
	a := stepAttempt(AttemptWaiting, "")
	p := stepPolicy(false, false)
	now, last := stepT0, watchState{}
	var queries []time.Duration
	for i := 0; i < 50; i++ {
		s := nextStep(a, now, p, last)
		switch s.kind {
		case stepSleep:
			now = now.Add(s.wait)
			continue
		case stepQuery:
			queries = append(queries, now.Sub(stepT0))
			last, _ = last.afterQuery(a, now, p, nil)
			continue
		case stepClose:
			if s.intent != IntentExpire || !now.Equal(a.ExpiresAt) {
				t.Fatalf("closed for %s at %s, want expire at the deadline", s.intent, now.Sub(stepT0))
			}
		}
		break
	}
	want := []time.Duration{2 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second, 6 * time.Second}
	if len(queries) != len(want) {
		t.Fatalf("queries at %v, want %v", queries, want)
	}
	for i := range want {
		if queries[i] != want[i] {
			t.Fatalf("queries at %v, want %v", queries, want)
		}
	}
}
