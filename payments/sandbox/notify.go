package sandbox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// notifier delivers payment notifications to each trade's notify_url,
// retrying on the channel's schedule (× TimeScale) until acknowledged.
type notifier struct {
	g      *Gateway
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newNotifier(g *Gateway) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	return &notifier{g: g, ctx: ctx, cancel: cancel}
}

func (n *notifier) close() {
	n.cancel()
	n.wg.Wait()
}

// paid starts delivery for a trade that just became paid.
func (n *notifier) paid(t Trade) {
	if t.NotifyURL == "" || n.ctx.Err() != nil {
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
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.deliver(w, t, plan)
	}()
}

type deliveryPlan struct {
	duplicate, reorder, badFirst, wrongAmount bool
}

func (n *notifier) deliver(w Wire, t Trade, plan deliveryPlan) {
	schedule := w.RetrySchedule()
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
			n.post(w, t, d)
		}
		if acked {
			if plan.reorder {
				// A stale copy turns up after the merchant moved on.
				if !n.wait(schedule, 0) {
					return
				}
				n.post(w, t, d)
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
	if len(schedule) == 0 {
		return n.ctx.Err() == nil
	}
	d := time.Duration(float64(schedule[i]) * n.g.cfg.TimeScale)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-n.ctx.Done():
		return false
	}
}

// post sends one delivery and reports whether it was acknowledged.
func (n *notifier) post(w Wire, t Trade, d Delivery) bool {
	// An in-flight delivery finishes even while the gateway closes; only
	// further retries stop.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.NotifyURL, bytes.NewReader(d.Body))
	if err != nil {
		n.g.ledger.noteDelivery(t.OutTradeNo, false)
		return false
	}
	for k, v := range d.Header {
		req.Header[k] = v
	}
	resp, err := n.g.cfg.HTTPClient.Do(req)
	if err != nil {
		n.g.ledger.noteDelivery(t.OutTradeNo, false)
		return false
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	acked := w.Acknowledged(resp.StatusCode, body)
	n.g.ledger.noteDelivery(t.OutTradeNo, acked)
	return acked
}
