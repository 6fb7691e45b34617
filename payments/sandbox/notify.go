package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// closeGrace is how long Close lets deliveries already on the wire
// finish before it aborts them.
const closeGrace = 2 * time.Second

// minAnswerDeadline is the least time a merchant gets to answer a
// notification, whatever the time-scale: a till's handler verifies a
// signature and writes to disk, which no time-scale speeds up.
const minAnswerDeadline = time.Second

// errNoNotification is what a wire answers for an event its provider
// sends no notification for.
var errNoNotification = errors.New("sandbox: the provider sends no notification for this")

// notifier delivers notifications (payments and refunds) to their
// notify_url, one goroutine per notification, retrying on the channel's
// schedule (× TimeScale) until the merchant acknowledges or the schedule
// runs out. Each attempt must be answered within the channel's answer
// deadline (× TimeScale, at least minAnswerDeadline).
type notifier struct {
	g *Gateway
	// stop ends waiting between attempts (Close); abort ends requests on
	// the wire, closeGrace later.
	stop, abort       context.Context
	stopNow, abortNow context.CancelFunc
	after             func(time.Duration) <-chan time.Time // the timer; tests may replace it
	grace             time.Duration                        // closeGrace; tests may shorten it
	minDeadline       time.Duration                        // minAnswerDeadline; tests may shorten it
	mu                sync.Mutex
	closed            bool
	wg                sync.WaitGroup
}

func newNotifier(g *Gateway) *notifier {
	n := &notifier{g: g, after: time.After, grace: closeGrace, minDeadline: minAnswerDeadline}
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

// job is one notification to deliver.
type job struct {
	wire  Wire
	url   string
	label string // "notification of T1", for the log
	// build makes one delivery; attempt 0 is the first.
	build func(attempt int) (Delivery, error)
	// note records an attempt and whether it was acknowledged.
	note func(acked bool)
	// ready, if set, says whether the event is ready to be told (a refund
	// that is still processing is not); delivery waits until, then asks
	// again.
	ready func() bool
	until func() time.Duration
	plan  deliveryPlan
}

// deliveryPlan is the faults one notification was dealt.
type deliveryPlan struct {
	duplicate, reorder, badFirst, wrongAmount bool
}

// start runs a job's delivery in its own goroutine.
func (n *notifier) start(j job) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.deliver(j)
	}()
}

// paid starts delivery for a trade that just became paid. The faults in
// force are taken now, so each applies to exactly one notification.
func (n *notifier) paid(t Trade) {
	w := n.g.wire(t.Channel)
	if t.NotifyURL == "" || w == nil {
		return
	}
	g := n.g
	if g.take(func(f *Faults) *int { return &f.DropNotify }) {
		g.cfg.Log.Warn(fmt.Sprintf("fault: dropping the notification of %s", t.OutTradeNo))
		return
	}
	plan := deliveryPlan{
		duplicate:   g.take(func(f *Faults) *int { return &f.DuplicateNotify }),
		reorder:     g.take(func(f *Faults) *int { return &f.ReorderNotify }),
		badFirst:    g.take(func(f *Faults) *int { return &f.BadSignatureNotify }),
		wrongAmount: g.take(func(f *Faults) *int { return &f.WrongAmountNotify }),
	}
	n.start(job{wire: w, url: t.NotifyURL, label: "notification of " + t.OutTradeNo, plan: plan,
		build: func(attempt int) (Delivery, error) {
			fault := NotifyFault{BadSignature: plan.badFirst && attempt == 0}
			if plan.wrongAmount {
				fault.AmountFen = t.AmountFen + 1
			}
			return w.Notification(t, fault)
		},
		note: func(acked bool) { g.ledger.noteDelivery(t.OutTradeNo, acked) },
	})
}

// refunded starts delivery of a new refund's notification, once it has
// settled, to the refund's notify_url. The notification faults do not
// apply to it.
func (n *notifier) refunded(t Trade, r Refund) {
	w := n.g.wire(t.Channel)
	if r.NotifyURL == "" || w == nil {
		return
	}
	l := n.g.ledger
	current := func() (Trade, Refund) {
		ct, cr, err := l.RefundOf(t.OutTradeNo, r.RefundNo)
		if err != nil {
			return t, r
		}
		return ct, cr
	}
	n.start(job{wire: w, url: r.NotifyURL, label: "refund notification of " + t.OutTradeNo + "/" + r.RefundNo,
		ready: func() bool { _, cr := current(); return cr.Status != RefundProcessing },
		until: func() time.Duration {
			_, cr := current()
			return max(cr.SettlesAt.Sub(n.g.Now()), time.Millisecond)
		},
		build: func(int) (Delivery, error) { return w.RefundNotification(current()) },
		note:  func(acked bool) { l.noteRefundDelivery(t.OutTradeNo, r.RefundNo, acked) },
	})
}

// deliver runs one job: its attempts, retries and faults.
func (n *notifier) deliver(j job) {
	schedule := j.wire.RetrySchedule()
	for j.ready != nil && !j.ready() {
		if !n.sleep(j.until()) {
			return
		}
	}
	if j.plan.reorder {
		// Held back: the merchant's own query (or a later trade's
		// notification) overtakes it.
		if !n.wait(schedule, 0) {
			return
		}
	}
	for attempt := 0; ; attempt++ {
		d, err := j.build(attempt)
		if errors.Is(err, errNoNotification) {
			return
		}
		if err != nil {
			n.g.cfg.Log.Warn(fmt.Sprintf("build %s: %v", j.label, err))
			return
		}
		acked := n.post(j, d)
		if j.plan.duplicate && attempt == 0 {
			acked = n.post(j, d) || acked
		}
		if acked {
			if j.plan.reorder && n.wait(schedule, 0) {
				n.post(j, d) // a stale copy turns up after the merchant moved on
			}
			return
		}
		if attempt >= len(schedule) {
			n.g.cfg.Log.Warn(fmt.Sprintf("%s not acknowledged after %d tries; giving up", j.label, attempt+1))
			return
		}
		if !n.wait(schedule, attempt) {
			return
		}
	}
}

// wait sleeps for schedule[i] × TimeScale; false if the gateway closed.
func (n *notifier) wait(schedule []time.Duration, i int) bool {
	if i >= len(schedule) {
		return n.stop.Err() == nil
	}
	return n.sleep(time.Duration(float64(schedule[i]) * n.g.cfg.TimeScale))
}

// sleep waits d; false if the gateway closed.
func (n *notifier) sleep(d time.Duration) bool {
	if n.stop.Err() != nil {
		return false
	}
	select {
	case <-n.after(d):
		return true
	case <-n.stop.Done():
		return false
	}
}

// answerDeadline is how long the merchant has to answer one delivery of
// a wire's notifications.
func (n *notifier) answerDeadline(w Wire) time.Duration {
	return max(time.Duration(float64(w.AnswerDeadline())*n.g.cfg.TimeScale), n.minDeadline)
}

// post sends one delivery and reports whether it was acknowledged within
// the answer deadline. A request on the wire may finish while the gateway
// closes (within closeGrace); only further retries stop at once.
func (n *notifier) post(j job, d Delivery) bool {
	ctx, cancel := context.WithTimeout(n.abort, n.answerDeadline(j.wire))
	defer cancel()
	acked := false
	defer func() { j.note(acked) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(d.Body))
	if err != nil {
		n.g.cfg.Log.Warn(fmt.Sprintf("%s: %v", j.label, err))
		return false
	}
	for k, v := range d.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := n.g.cfg.HTTPClient.Do(req)
	if err != nil {
		n.g.cfg.Log.Warn(fmt.Sprintf("%s not delivered: %v", j.label, err))
		return false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if err != nil {
		n.g.cfg.Log.Warn(fmt.Sprintf("%s: answer not read within the deadline: %v", j.label, err))
		return false
	}
	acked = j.wire.Acknowledged(resp.StatusCode, body)
	if !acked {
		n.g.cfg.Log.Warn(fmt.Sprintf("%s not acknowledged (HTTP %d)", j.label, resp.StatusCode))
	}
	return acked
}
