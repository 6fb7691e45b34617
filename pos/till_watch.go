package pos

import (
	"time"

	"qrtill/payments"
)

// watcher follows one open attempt until it is paid or closed, doing
// what nextStep decides: poll on the policy's schedule, close the
// attempt at its deadline, and retry a close the provider has not
// confirmed. Notifications settle attempts through apply, which stops
// the watcher.
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

// watch is the watcher's loop: look at the stored attempt, ask nextStep,
// carry the step out.
func (t *Till) watch(w *watcher) {
	defer t.wg.Done()
	defer t.forget(w)
	var last watchState
	for !t.stopped(w) {
		o, a, ok := t.watched(w)
		if !ok {
			return
		}
		switch s := nextStep(*a, t.cfg.Clock(), t.watchPolicy(), last); s.kind {
		case stepSleep:
			if !t.sleep(w.stop, w.kick, s.wait) {
				return
			}
		case stepQuery:
			last = t.query(w, o, *a, last)
		case stepClose, stepReverse: // closeAttempt reverses a code payment
			t.closeUntilConfirmed(w, s.intent, last.sent)
		default:
			return
		}
	}
}

func (t *Till) watchPolicy() watchPolicy {
	return watchPolicy{poll: t.cfg.Poll, noPolling: t.cfg.NoPolling, notifying: t.cfg.Notifying()}
}

// stopped reports whether the watcher was stopped or the till is closing.
func (t *Till) stopped(w *watcher) bool {
	select {
	case <-w.stop:
		return true
	case <-t.ctx.Done():
		return true
	default:
		return false
	}
}

// forget removes an ended watcher, unless a newer one took its place.
func (t *Till) forget(w *watcher) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.watchers[w.outTradeNo] == w {
		delete(t.watchers, w.outTradeNo)
	}
}

// watched loads the watched attempt. ok is false when there is nothing
// the watcher can follow (the order or attempt is gone, or its channel
// is no longer configured).
func (t *Till) watched(w *watcher) (Order, *Attempt, bool) {
	o, err := t.store.Order(t.ctx, w.number)
	if err != nil {
		t.log.Warn("watch: load order", "out_trade_no", w.outTradeNo, "err", err)
		return o, nil, false
	}
	a := findAttempt(&o, w.outTradeNo)
	if a == nil {
		return o, nil, false
	}
	if _, err := t.provider(a.Channel); err != nil {
		t.log.Warn("watch", "out_trade_no", w.outTradeNo, "err", err)
		return o, nil, false
	}
	return o, a, true
}

// query asks the provider about the watched attempt once, stores the
// answer and shows the screens the result.
func (t *Till) query(w *watcher, o Order, a Attempt, last watchState) watchState {
	prov := t.cfg.Providers[a.Channel]
	cctx, cancel := t.callCtx(t.ctx)
	st, qerr := prov.Query(cctx, w.outTradeNo)
	cancel()
	next, wait := last.afterQuery(a, t.cfg.Clock(), t.watchPolicy(), qerr)
	if qerr != nil {
		t.log.Warn("query failed", "out_trade_no", w.outTradeNo, "err", qerr)
		t.publishPoll(o, &a, next.sent, next.failures, qerr, wait)
		return next
	}
	o, err := t.apply(t.ctx, w.number, w.outTradeNo, st, SourcePoll)
	if err != nil {
		t.log.Warn("store poll answer", "out_trade_no", w.outTradeNo, "err", err)
	}
	if a2 := findAttempt(&o, w.outTradeNo); a2 != nil {
		if !a2.Open() {
			wait = 0
		}
		t.publishPollResult(o, a2, st, next.sent, wait)
	}
	return next
}

// closeUntilConfirmed closes the watched attempt at the provider and,
// while the provider does not answer, tries again with backoff, showing
// the screens each failure.
func (t *Till) closeUntilConfirmed(w *watcher, intent Intent, sent int) {
	if t.tryClose(w, intent, sent, 1) {
		return
	}
	t.retry(w.stop, func(failures int) bool { return t.tryClose(w, "", sent, failures+1) })
}

// tryClose asks the provider once to close the watched attempt, for
// intent (or the attempt's own, if empty). It reports done when the
// provider answered or nothing is left to close.
func (t *Till) tryClose(w *watcher, intent Intent, sent, failures int) (done bool) {
	o, a, ok := t.watched(w)
	if !ok || !a.Open() {
		return true
	}
	if intent == "" {
		intent = closeIntent(*a)
	}
	_, err := t.closeAttempt(t.ctx, w.number, w.outTradeNo, intent, SourceSystem)
	if err == nil {
		return true
	}
	if t.settleByQuery(w) {
		return true // the trade was paid (or closed) after all: booked
	}
	t.publishPoll(o, a, sent, failures, err, t.cfg.Poll.backoff(failures))
	return false
}

// settleByQuery asks the provider about an attempt whose close failed —
// refused by a rule the till does not know (a trade just paid is one), or
// unanswered — and stores what it says. It reports whether the attempt
// is settled; if not, the close is tried again later, with a query
// between each try, so a paid sale is always booked.
func (t *Till) settleByQuery(w *watcher) bool {
	_, a, ok := t.watched(w)
	if !ok || !a.Open() {
		return true
	}
	cctx, cancel := t.callCtx(t.ctx)
	st, err := t.cfg.Providers[a.Channel].Query(cctx, w.outTradeNo)
	cancel()
	if err != nil {
		return false
	}
	o, err := t.apply(t.ctx, w.number, w.outTradeNo, st, SourceSystem)
	if err != nil {
		t.log.Warn("store the answer to a query after a failed close", "out_trade_no", w.outTradeNo, "err", err)
		return false
	}
	after := findAttempt(&o, w.outTradeNo)
	return after == nil || !after.Open()
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
// order that another attempt paid). A close the provider does not
// confirm is retried by the attempt's watcher.
func (t *Till) goClose(number, outTradeNo string) {
	if t.ctx.Err() != nil {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		if _, err := t.closeAttempt(t.ctx, number, outTradeNo, IntentAbandon, SourceSystem); err != nil {
			t.log.Warn("close leftover QR", "out_trade_no", outTradeNo, "err", err)
		}
	}()
}
