package pos

import (
	"time"

	"qrtill/payments"
)

// What a watcher does next about one open attempt is decided here, by a
// pure function of the attempt, the clock reading, the poll policy and
// what happened last; the watcher (till_watch.go) only carries it out.

// watchPolicy is what nextStep needs of the till's settings, read once
// per step.
type watchPolicy struct {
	poll      PollPolicy
	noPolling bool // notifications only: never query
	notifying bool // a notification path is up right now
}

// watchState is what a watcher remembers between steps.
type watchState struct {
	sent      int       // queries sent for the attempt
	failures  int       // consecutive failed queries
	nextQuery time.Time // when the next query is due; zero before the first
}

// stepKind is what a watcher does next.
type stepKind int

const (
	// stepStop: the attempt is settled; the watcher ends.
	stepStop stepKind = iota
	// stepSleep: wait (for the next query or the deadline), then look again.
	stepSleep
	// stepQuery: ask the provider about the attempt now.
	stepQuery
	// stepClose: close the attempt at the provider, and keep trying
	// until the provider confirms.
	stepClose
	// stepReverse: end a code payment at the provider (query, then
	// reverse: Alipay trade.cancel, WeChat reverse), and keep trying
	// until the provider confirms.
	stepReverse
)

// step is one decision of nextStep.
type step struct {
	kind   stepKind
	wait   time.Duration // stepSleep
	intent Intent        // stepClose
}

// nextStep decides what the watcher of attempt a does at now. A close
// that someone asked for (cancel, switch, abandon, or a close not yet
// confirmed) comes first; then the deadline, which closes the attempt
// (the provider's answer says paid if it was); then a query when one is
// due and the budget allows; otherwise a sleep until the next query or
// the deadline, whichever is sooner. A code payment is reversed rather
// than closed, and queried every Code interval whatever the
// notifications and the budget (no provider notifies a code payment).
func nextStep(a Attempt, now time.Time, p watchPolicy, last watchState) step {
	switch {
	case !a.Open():
		return step{kind: stepStop}
	case a.Intent != "" || a.Status == AttemptClosing, !now.Before(a.ExpiresAt):
		if a.IsCode() {
			return step{kind: stepReverse, intent: closeIntent(a)}
		}
		return step{kind: stepClose, intent: closeIntent(a)}
	}
	untilDeadline := a.ExpiresAt.Sub(now)
	if a.IsCode() {
		return sleepOrQuery(now, last.nextQuery, a.CreatedAt.Add(p.poll.codeEvery()), untilDeadline)
	}
	budgetSpent := p.poll.MaxQueries > 0 && last.sent >= p.poll.MaxQueries
	if p.noPolling || budgetSpent {
		return step{kind: stepSleep, wait: untilDeadline}
	}
	wait, _ := p.poll.Next(0, p.notifying, awaitingScan(a), 0)
	return sleepOrQuery(now, last.nextQuery, a.CreatedAt.Add(wait), untilDeadline)
}

// sleepOrQuery queries when the next query (due, or first before any)
// is due at now, and otherwise sleeps until it or the deadline.
func sleepOrQuery(now, due, first time.Time, untilDeadline time.Duration) step {
	if due.IsZero() {
		due = first
	}
	if now.Before(due) {
		return step{kind: stepSleep, wait: min(due.Sub(now), untilDeadline)}
	}
	return step{kind: stepQuery}
}

// closeIntent is why the watcher closes a: the stored intent, or the
// deadline when nobody asked.
func closeIntent(a Attempt) Intent {
	if a.Intent != "" {
		return a.Intent
	}
	return IntentExpire
}

// afterQuery is what the watcher remembers after a query that answered
// at now (err nil) or failed, and how long until the next query: the
// trouble backoff after a failure, else the policy's next interval (the
// Code interval for a code payment), or the time left when the budget
// is spent.
func (s watchState) afterQuery(a Attempt, now time.Time, p watchPolicy, err error) (watchState, time.Duration) {
	s.sent++
	var wait time.Duration
	if err != nil {
		s.failures++
		wait = p.poll.backoff(s.failures)
	} else {
		s.failures = 0
		var ok bool
		if wait, ok = p.poll.Next(now.Sub(a.CreatedAt), p.notifying, awaitingScan(a), s.sent); !ok {
			wait = a.ExpiresAt.Sub(now)
		}
		if a.IsCode() {
			wait = p.poll.codeEvery()
		}
	}
	s.nextQuery = now.Add(wait)
	return s, wait
}

// awaitingScan reports whether a is a QR that waits for its first scan
// on a channel whose scan the till can show (Alipay; WeChat Native has
// no scanned state).
func awaitingScan(a Attempt) bool {
	return a.Channel == payments.Alipay && !a.IsCode() && (a.Status == AttemptCreating || a.Status == AttemptWaiting)
}
