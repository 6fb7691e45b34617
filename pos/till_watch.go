package pos

import (
	"time"

	"qrtill/payments"
)

// watcher follows one open attempt until it is paid or closed: it polls
// on the policy's schedule, closes the attempt at its deadline, and
// retries a close the provider has not confirmed. Notifications settle
// attempts through apply, which stops the watcher.
type watcher struct {
	number     string
	outTradeNo string
	stop       chan struct{}
	kick       chan struct{} // wakes a sleeping watcher to look again
}

// ensureWatch starts a watcher for an attempt, or wakes the one running
// so it acts on the attempt's new state (a close to retry).
func (t *Till) ensureWatch(number, outTradeNo string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctx.Err() != nil {
		return
	}
	if w := t.watchers[outTradeNo]; w != nil {
		select {
		case w.kick <- struct{}{}:
		default:
		}
		return
	}
	w := &watcher{number: number, outTradeNo: outTradeNo, stop: make(chan struct{}), kick: make(chan struct{}, 1)}
	t.watchers[outTradeNo] = w
	t.wg.Add(1)
	go t.watch(w)
}

// stopWatch ends the watcher of an attempt, if any.
func (t *Till) stopWatch(outTradeNo string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if w := t.watchers[outTradeNo]; w != nil {
		close(w.stop)
		delete(t.watchers, outTradeNo)
	}
}

// Watching reports how many attempts the till is following now.
func (t *Till) Watching() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.watchers)
}

// sleep waits for d, or until kick fires, stop is closed or the till
// stops. It reports whether the caller should go on.
func (t *Till) sleep(stop, kick <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-kick:
		return true
	case <-stop:
		return false
	case <-t.ctx.Done():
		return false
	}
}

func (t *Till) watch(w *watcher) {
	defer t.wg.Done()
	defer func() {
		t.mu.Lock()
		if t.watchers[w.outTradeNo] == w {
			delete(t.watchers, w.outTradeNo)
		}
		t.mu.Unlock()
	}()

	policy := t.cfg.Poll
	var (
		sent, failures int
		nextQuery      time.Time
		retryAt        time.Time
	)
	for {
		select {
		case <-w.stop:
			return
		case <-t.ctx.Done():
			return
		default:
		}
		o, err := t.store.Order(t.ctx, w.number)
		if err != nil {
			t.cfg.Logf("watch %s: load order: %v", w.outTradeNo, err)
			return
		}
		a := findAttempt(&o, w.outTradeNo)
		if a == nil || !a.Open() {
			return
		}
		prov, err := t.provider(a.Channel)
		if err != nil {
			t.cfg.Logf("watch %s: %v", w.outTradeNo, err)
			return
		}
		now := t.cfg.Clock()
		if nextQuery.IsZero() {
			nextQuery = a.CreatedAt.Add(policy.FirstDelay)
			if t.cfg.Notifying() {
				nextQuery = a.CreatedAt.Add(2 * policy.FirstDelay)
			}
		}

		// Closing wanted (cancel, switch, abandon, or a close that failed):
		// retry until the provider confirms.
		if a.Intent != "" || a.Status == AttemptClosing {
			if now.Before(retryAt) {
				if !t.sleep(w.stop, w.kick, retryAt.Sub(now)) {
					return
				}
				continue
			}
			intent := a.Intent
			if intent == "" {
				intent = IntentExpire
			}
			if _, err := t.closeAttempt(t.ctx, w.number, w.outTradeNo, intent, SourceSystem); err != nil {
				failures++
				retryAt = t.cfg.Clock().Add(policy.backoff(failures))
				t.publishPoll(o, a, sent, failures, err, retryAt.Sub(t.cfg.Clock()))
			} else {
				failures = 0
			}
			continue
		}

		// Deadline: close it (the provider's answer says paid if it was).
		if !now.Before(a.ExpiresAt) {
			if _, err := t.closeAttempt(t.ctx, w.number, w.outTradeNo, IntentExpire, SourceSystem); err != nil {
				failures++
				retryAt = t.cfg.Clock().Add(policy.backoff(failures))
			}
			continue
		}

		budgetLeft := policy.MaxQueries <= 0 || sent < policy.MaxQueries
		if t.cfg.NoPolling || !budgetLeft {
			if !t.sleep(w.stop, w.kick, a.ExpiresAt.Sub(now)) {
				return
			}
			continue
		}
		if now.Before(nextQuery) {
			d := nextQuery.Sub(now)
			if until := a.ExpiresAt.Sub(now); until < d {
				d = until
			}
			if !t.sleep(w.stop, w.kick, d) {
				return
			}
			continue
		}

		cctx, cancel := t.callCtx(t.ctx)
		st, qerr := prov.Query(cctx, w.outTradeNo)
		cancel()
		sent++
		now = t.cfg.Clock()
		if qerr != nil {
			failures++
			wait := policy.backoff(failures)
			nextQuery = now.Add(wait)
			t.cfg.Logf("query %s: %v", w.outTradeNo, qerr)
			t.publishPoll(o, a, sent, failures, qerr, wait)
			continue
		}
		failures = 0
		o, err = t.apply(t.ctx, w.number, w.outTradeNo, st, SourcePoll)
		if err != nil {
			t.cfg.Logf("apply poll %s: %v", w.outTradeNo, err)
		}
		wait, ok := policy.Next(now.Sub(a.CreatedAt), t.cfg.Notifying(), sent)
		if !ok {
			wait = a.ExpiresAt.Sub(now)
		}
		nextQuery = now.Add(wait)
		if a2 := findAttempt(&o, w.outTradeNo); a2 != nil {
			if !a2.Open() {
				wait = 0
			}
			t.publishPollResult(o, a2, st, sent, wait)
		}
	}
}

func (t *Till) publishPoll(o Order, a *Attempt, sent, failures int, err error, next time.Duration) {
	t.hub.publish(Update{Order: o, Poll: &PollStatus{
		OutTradeNo: a.OutTradeNo, Channel: a.Channel, At: t.cfg.Clock(), Err: err,
		Failures: failures, NextIn: next, Queries: sent,
	}})
}

func (t *Till) publishPollResult(o Order, a *Attempt, st payments.TradeStatus, sent int, next time.Duration) {
	t.hub.publish(Update{Order: o, Poll: &PollStatus{
		OutTradeNo: a.OutTradeNo, Channel: a.Channel, At: t.cfg.Clock(), State: st.State,
		RawCode: st.RawCode, NextIn: next, Queries: sent,
	}})
}

// goClose closes an attempt in the background (a QR left open on an
// order that another attempt paid).
func (t *Till) goClose(number, outTradeNo string) {
	if t.ctx.Err() != nil {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		if _, err := t.closeAttempt(t.ctx, number, outTradeNo, IntentAbandon, SourceSystem); err != nil {
			t.cfg.Logf("close leftover %s: %v", outTradeNo, err)
		}
	}()
}
