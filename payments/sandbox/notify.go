package sandbox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// closeGrace is how long Close lets deliveries already on the wire
// finish before it aborts them.
const closeGrace = 2 * time.Second

// notifier delivers payment notifications to each trade's notify_url,
// one goroutine per paid trade, retrying on the channel's schedule
// (× TimeScale) until the merchant acknowledges or the schedule runs out.
type notifier struct {
	g *Gateway
	// stop ends waiting between attempts (Close); abort ends requests on
	// the wire, closeGrace later.
	stop, abort       context.Context
	stopNow, abortNow context.CancelFunc
	after             func(time.Duration) <-chan time.Time // the timer; tests may replace it
	grace             time.Duration                        // closeGrace; tests may shorten it
	mu                sync.Mutex
	closed            bool
	wg                sync.WaitGroup
}

func newNotifier(g *Gateway) *notifier {
	n := &notifier{g: g, after: time.After, grace: closeGrace}
	n.stop, n.stopNow = context.WithCancel(context.Background())
	n.abort, n.abortNow = context.WithCancel(context.Background())
	return n
}

// close stops every delivery and waits for the goroutines to end.
func (n *notifier) close() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.stopNow()
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	timer := time.NewTimer(n.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		n.abortNow()
		<-done
	}
	n.abortNow()
}

// paid starts delivery for a trade that just became paid. The faults in
// force are taken now, so each applies to exactly one notification.
func (n *notifier) paid(t Trade) {
	if t.NotifyURL == "" {
		return
	}
	w := n.g.wire(t.Channel)
	if w == nil {
		return
	}
	g := n.g
	if g.take(func(f *Faults) *int { return &f.DropNotify }) {
		g.cfg.Logf("sandbox: fault: dropping the notification of %s", t.OutTradeNo)
		return
	}
	plan := deliveryPlan{
		duplicate:   g.take(func(f *Faults) *int { return &f.DuplicateNotify }),
		reorder:     g.take(func(f *Faults) *int { return &f.ReorderNotify }),
		badFirst:    g.take(func(f *Faults) *int { return &f.BadSignatureNotify }),
		wrongAmount: g.take(func(f *Faults) *int { return &f.WrongAmountNotify }),
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.deliver(w, t, plan)
	}()
}

// deliveryPlan is the faults one notification was dealt.
type deliveryPlan struct {
	duplicate, reorder, badFirst, wrongAmount bool
}

func (n *notifier) deliver(w Wire, t Trade, plan deliveryPlan) {
	schedule := w.RetrySchedule()
	if plan.reorder {
		// Held back: the merchant's own query (or a later trade's
		// notification) overtakes it.
		if !n.wait(schedule, 0) {
			return
		}
	}
	for attempt := 0; ; attempt++ {
		fault := NotifyFault{BadSignature: plan.badFirst && attempt == 0}
		if plan.wrongAmount {
			fault.AmountFen = t.AmountFen + 1
		}
		d, err := w.Notification(t, fault)
		if err != nil {
			n.g.cfg.Logf("sandbox: build notification of %s: %v", t.OutTradeNo, err)
			return
		}
		acked := n.post(w, t, d)
		if plan.duplicate && attempt == 0 {
			acked = n.post(w, t, d) || acked
		}
		if acked {
			if plan.reorder {
				// A stale copy turns up after the merchant moved on.
				if n.wait(schedule, 0) {
					n.post(w, t, d)
				}
			}
			return
		}
		if attempt >= len(schedule) {
			n.g.cfg.Logf("sandbox: notification of %s not acknowledged after %d tries; giving up", t.OutTradeNo, attempt+1)
			return
		}
		if !n.wait(schedule, attempt) {
			return
		}
	}
}

// wait sleeps for schedule[i] × TimeScale; false if the gateway closed.
func (n *notifier) wait(schedule []time.Duration, i int) bool {
	if n.stop.Err() != nil {
		return false
	}
	if i >= len(schedule) {
		return true
	}
	select {
	case <-n.after(time.Duration(float64(schedule[i]) * n.g.cfg.TimeScale)):
		return true
	case <-n.stop.Done():
		return false
	}
}

// post sends one delivery and reports whether it was acknowledged. A
// request on the wire may finish while the gateway closes (within
// closeGrace); only further retries stop at once.
func (n *notifier) post(w Wire, t Trade, d Delivery) bool {
	ctx, cancel := context.WithTimeout(n.abort, 10*time.Second)
	defer cancel()
	acked := false
	defer func() { n.g.ledger.noteDelivery(t.OutTradeNo, acked) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.NotifyURL, bytes.NewReader(d.Body))
	if err != nil {
		n.g.cfg.Logf("sandbox: notification of %s: %v", t.OutTradeNo, err)
		return false
	}
	for k, v := range d.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := n.g.cfg.HTTPClient.Do(req)
	if err != nil {
		n.g.cfg.Logf("sandbox: notification of %s not delivered: %v", t.OutTradeNo, err)
		return false
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	acked = w.Acknowledged(resp.StatusCode, body)
	if !acked {
		n.g.cfg.Logf("sandbox: notification of %s not acknowledged (HTTP %d)", t.OutTradeNo, resp.StatusCode)
	}
	return acked
}
