package pos

import (
	"context"
	"errors"
	"fmt"

	"qrtill/payments"
)

// HandleNotification applies a verified provider notification. The
// provider package has checked the signature and the merchant ids; here
// the out_trade_no must name an attempt of this till on the same channel
// and the amount must match it exactly. Anything else is refused with an
// error and changes nothing. Applying is idempotent, so a duplicate (the
// same notification id again) is answered as handled. The caller
// acknowledges the provider only when this returns nil: by then the
// result is stored.
func (t *Till) HandleNotification(ctx context.Context, n payments.Notification, src EventSource) error {
	no := n.Status.OutTradeNo
	o, err := t.store.OrderByOutTradeNo(ctx, no)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("notification %s for %s: %w", n.ID, no, ErrUnknownTrade)
	}
	if err != nil {
		return fmt.Errorf("notification %s: load order: %w", n.ID, err)
	}
	a := findAttempt(&o, no)
	if a == nil {
		return fmt.Errorf("notification %s for %s: %w", n.ID, no, ErrUnknownTrade)
	}
	if a.Channel != n.Channel {
		return fmt.Errorf("notification %s: %s trade %s came through %s: %w", n.ID, a.Channel, no, n.Channel, ErrMismatch)
	}
	if Money(n.Status.AmountFen) != a.Amount {
		return fmt.Errorf("notification %s: amount %s, attempt %s is %s: %w", n.ID, Money(n.Status.AmountFen), no, a.Amount, ErrMismatch)
	}
	if src == "" {
		src = SourceNotify
	}
	if _, err := t.apply(ctx, o.Number, no, n.Status, src); err != nil {
		return fmt.Errorf("notification %s: %w", n.ID, err)
	}
	if n.Refund != nil {
		if err := t.applyRefundNotice(ctx, o.Number, no, *n.Refund, src); err != nil {
			return fmt.Errorf("notification %s: refund: %w", n.ID, err)
		}
	}
	if _, err := t.store.RecordNotification(ctx, string(n.Channel), n.ID, n.ReceivedAt); err != nil {
		return fmt.Errorf("notification %s: record: %w", n.ID, err)
	}
	return nil
}

// Reconcile settles every attempt left open (by a crash, a power cut, or
// ctrl+c during a payment) before the first new sale: each is queried;
// paid ones are booked, closed ones settled, and the rest closed at the
// provider so nothing can be paid behind the cashier's back. A code
// payment the customer may still be confirming is queried every few
// seconds until its deadline (CodeWindow after it was charged) and then
// reversed, so Reconcile can take that long. Refunds left
// pending are asked for again. It returns what changed.
func (t *Till) Reconcile(ctx context.Context) ([]Change, error) {
	orders, err := t.store.OpenAttempts(ctx)
	if err != nil {
		return nil, fmt.Errorf("reconcile: list open attempts: %w", err)
	}
	var changes []Change
	for _, o := range orders {
		for _, a := range o.Attempts {
			if !a.Open() {
				continue
			}
			changes = append(changes, t.reconcileAttempt(ctx, o, a))
		}
	}
	pending, err := t.store.PendingRefunds(ctx)
	if err != nil {
		return changes, fmt.Errorf("reconcile: list pending refunds: %w", err)
	}
	for _, o := range pending {
		for _, r := range o.Refunds {
			if r.Status == payments.RefundAbnormal {
				t.retryRefund(o.Number, r.RefundNo) // asked about, never sent again
				continue
			}
			if r.Status != payments.RefundPending {
				continue
			}
			after, rerr := t.issueRefund(ctx, o.Number, r.RefundNo)
			c := Change{OrderNumber: o.Number, OutTradeNo: r.OutTradeNo, From: o.Status, To: after.Status,
				Detail: fmt.Sprintf("refund %s of %s asked for again", r.RefundNo, r.Amount)}
			if rerr != nil && !errors.Is(rerr, ErrRefundPending) {
				c.Err = rerr
			}
			if after.Number == "" {
				c.To = o.Status
			}
			changes = append(changes, c)
		}
	}
	return changes, nil
}

func (t *Till) reconcileAttempt(ctx context.Context, o Order, a Attempt) Change {
	c := Change{OrderNumber: o.Number, OutTradeNo: a.OutTradeNo, From: o.Status, To: o.Status}
	prov, err := t.provider(a.Channel)
	if err != nil {
		c.Err = err
		c.Detail = "channel " + string(a.Channel) + " is not configured; cannot settle this attempt"
		return c
	}
	cctx, cancel := t.callCtx(ctx)
	st, qerr := prov.Query(cctx, a.OutTradeNo)
	cancel()
	after := o
	if qerr == nil {
		after, err = t.apply(ctx, o.Number, a.OutTradeNo, st, SourceReconcile)
		if err != nil {
			c.Err = err
			c.Detail = "could not store the provider's answer"
			return c
		}
	}
	if na := findAttempt(&after, a.OutTradeNo); na != nil && na.Open() && na.IsCode() && na.Intent == "" {
		// The customer may still be confirming: follow it to its deadline.
		after = t.awaitCode(ctx, prov, after, a.OutTradeNo)
	}
	if na := findAttempt(&after, a.OutTradeNo); na != nil && na.Open() {
		intent := na.Intent
		if intent == "" {
			intent = IntentAbandon
			if !t.cfg.Clock().Before(na.ExpiresAt) {
				intent = IntentExpire
			}
		}
		after, err = t.closeAttempt(ctx, o.Number, a.OutTradeNo, intent, SourceReconcile)
		if err != nil {
			c.Err = err
			c.Detail = "the provider did not answer; the till keeps trying to close it"
			c.To = after.Status
			return c
		}
	}
	c.To = after.Status
	if na := findAttempt(&after, a.OutTradeNo); na != nil {
		c.Detail = settledDetail(*na, c.To)
	}
	return c
}

// settledDetail says what reconcile found about an attempt it settled,
// the order now in status to.
func settledDetail(a Attempt, to OrderStatus) string {
	switch {
	case a.Status == AttemptPaid:
		return fmt.Sprintf("paid %s while the till was away", a.PaidAmount)
	case to == OrderCancelled:
		return "cancelled; the provider confirmed the QR is closed"
	case a.IsCode():
		return "not paid; the customer did not confirm the code payment in time and it was reversed"
	case to == OrderExpired:
		return "expired; the provider confirmed the QR is closed"
	}
	return "not paid; the QR was closed. Pay again from the orders screen"
}
