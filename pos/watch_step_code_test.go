package pos

import (
	"errors"
	"testing"
	"time"
)

// The watcher's decisions for a customer-presented code payment: query
// every Code interval while the customer confirms (whatever the
// notifications and the QR budget), reverse at the deadline or when
// someone asked to end it.

// codeAttempt is a code payment charged at stepT0 with a 45 s window.
func codeAttempt(st AttemptStatus, intent Intent) Attempt {
	return Attempt{OutTradeNo: "A1", Kind: KindCode, Status: st, Intent: intent, Amount: 100,
		CreatedAt: stepT0, ExpiresAt: stepT0.Add(45 * time.Second)}
}

// codePolicy is stepPolicy with a code payment queried every 3 s.
func codePolicy(notifying, noPolling bool) watchPolicy {
	p := stepPolicy(notifying, noPolling)
	p.poll.Code = 3 * time.Second
	return p
}

func TestNextStepCodePay(t *testing.T) {
	sleep := func(d time.Duration) step { return step{kind: stepSleep, wait: d} }
	reverseFor := func(i Intent) step { return step{kind: stepReverse, intent: i} }
	query, stop := step{kind: stepQuery}, step{kind: stepStop}
	tests := []struct {
		name   string
		a      Attempt
		now    time.Time
		policy watchPolicy
		last   watchState
		want   step
	}{
		{"paid at once: stop", codeAttempt(AttemptPaid, ""), at(0), codePolicy(false, false), watchState{}, stop},
		{"refused: stop", codeAttempt(AttemptFailed, ""), at(0), codePolicy(false, false), watchState{}, stop},
		{"waiting for password: first query after the code interval", codeAttempt(AttemptScanned, ""), at(time.Second), codePolicy(false, false), watchState{}, sleep(2 * time.Second)},
		{"notifications do not delay it", codeAttempt(AttemptScanned, ""), at(time.Second), codePolicy(true, false), watchState{}, sleep(2 * time.Second)},
		{"polling off: still queried", codeAttempt(AttemptScanned, ""), at(3 * time.Second), codePolicy(true, true), watchState{}, query},
		{"unknown outcome (creating): queried too", codeAttempt(AttemptCreating, ""), at(3 * time.Second), codePolicy(false, false), watchState{}, query},
		{"next query planned", codeAttempt(AttemptScanned, ""), at(4 * time.Second), codePolicy(false, false),
			watchState{sent: 1, nextQuery: at(6 * time.Second)}, sleep(2 * time.Second)},
		{"QR budget spent: a code payment is still queried", codeAttempt(AttemptScanned, ""), at(30 * time.Second), codePolicy(false, false),
			watchState{sent: 9, nextQuery: at(30 * time.Second)}, query},
		{"a sleep never passes the deadline", codeAttempt(AttemptScanned, ""), at(44 * time.Second), codePolicy(false, false),
			watchState{sent: 14, nextQuery: at(47 * time.Second)}, sleep(time.Second)},
		{"deadline: reverse", codeAttempt(AttemptScanned, ""), at(45 * time.Second), codePolicy(false, false),
			watchState{sent: 14, nextQuery: at(48 * time.Second)}, reverseFor(IntentExpire)},
		{"deadline with no answer yet: reverse", codeAttempt(AttemptCreating, ""), at(time.Minute), codePolicy(false, false), watchState{}, reverseFor(IntentExpire)},
		{"cashier cancelled: reverse now", codeAttempt(AttemptScanned, IntentCancel), at(time.Second), codePolicy(false, false), watchState{}, reverseFor(IntentCancel)},
		{"back to the basket: reverse now", codeAttempt(AttemptScanned, IntentReopen), at(time.Second), codePolicy(false, false), watchState{}, reverseFor(IntentReopen)},
		{"unconfirmed reverse: again", codeAttempt(AttemptClosing, IntentExpire), at(50 * time.Second), codePolicy(false, false), watchState{}, reverseFor(IntentExpire)},
		{"a QR at its deadline is closed, not reversed", stepAttempt(AttemptScanned, ""), at(time.Minute), codePolicy(false, false), watchState{}, step{kind: stepClose, intent: IntentExpire}},
	}
	for _, tt := range tests {
		if got := nextStep(tt.a, tt.now, tt.policy, tt.last); got != tt.want {
			t.Errorf("%s: nextStep = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestAfterQueryCodePay(t *testing.T) {
	outage := errors.New("outage")
	tests := []struct {
		name     string
		last     watchState
		now      time.Time
		err      error
		want     watchState
		wantWait time.Duration
	}{
		{"answered: the code interval", watchState{}, at(3 * time.Second), nil, watchState{sent: 1, nextQuery: at(6 * time.Second)}, 3 * time.Second},
		{"answered late in the window: still the code interval", watchState{sent: 12}, at(40 * time.Second), nil,
			watchState{sent: 13, nextQuery: at(43 * time.Second)}, 3 * time.Second},
		{"failed: back off", watchState{sent: 2}, at(9 * time.Second), outage, watchState{sent: 3, failures: 1, nextQuery: at(12 * time.Second)}, 3 * time.Second},
	}
	for _, tt := range tests {
		got, wait := tt.last.afterQuery(codeAttempt(AttemptScanned, ""), tt.now, codePolicy(false, false), tt.err)
		if got != tt.want || wait != tt.wantWait {
			t.Errorf("%s: afterQuery = %+v, %s; want %+v, %s", tt.name, got, wait, tt.want, tt.wantWait)
		}
	}
}

// TestCodeWatchPlan runs the watcher's decisions for a code payment the
// customer never confirms: a query every 3 s, then the reverse at 45 s.
func TestCodeWatchPlan(t *testing.T) {
	a := codeAttempt(AttemptScanned, "")
	p := codePolicy(false, false)
	now, last := stepT0, watchState{}
	var queries []time.Duration
	for range 100 {
		s := nextStep(a, now, p, last)
		switch s.kind {
		case stepSleep:
			now = now.Add(s.wait)
			continue
		case stepQuery:
			queries = append(queries, now.Sub(stepT0))
			last, _ = last.afterQuery(a, now, p, nil)
			continue
		case stepReverse:
			if s.intent != IntentExpire || !now.Equal(a.ExpiresAt) {
				t.Fatalf("reversed for %s at %s, want expire at the deadline", s.intent, now.Sub(stepT0))
			}
		default:
			t.Fatalf("step %+v at %s", s, now.Sub(stepT0))
		}
		break
	}
	if len(queries) != 14 || queries[0] != 3*time.Second || queries[13] != 42*time.Second {
		t.Fatalf("queries at %v, want every 3 s from 3 s to 42 s", queries)
	}
}

func TestScannedEventOfACodePayment(t *testing.T) {
	a := codeAttempt(AttemptScanned, "")
	if kind, detail := scannedEvent(&a); kind != EventWaitPassword || detail == "" {
		t.Errorf("code payment: %s %q", kind, detail)
	}
	q := stepAttempt(AttemptScanned, "")
	if kind, _ := scannedEvent(&q); kind != EventScanned {
		t.Errorf("QR: %s", kind)
	}
	if !a.WaitingForPassword() || q.WaitingForPassword() || codeAttempt(AttemptCreating, "").WaitingForPassword() {
		t.Error("WaitingForPassword is only a code payment the customer must confirm")
	}
}
