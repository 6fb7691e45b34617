package pos

import (
	"fmt"
	"time"

	"qrtill/payments"
)

// applied is what applying a provider answer to an order did.
type applied struct {
	events []Event
	// refunds to issue after the change is stored (automatic refunds of a
	// payment the shop must not keep).
	refunds []string
	// closes lists other attempts left open on an order that is now paid;
	// the till closes them so the buyer cannot pay twice.
	closes []string
}

// applyTradeStatus moves an order and one of its attempts to match what
// the provider says about that attempt. It is pure: the caller stores the
// result in one transaction. Answers that would move an attempt backwards
// (a stale "waiting" after "paid") change nothing; the provider's word
// that money was taken always counts, even on an attempt the till has
// closed: such money is kept if the order still wants it, and refunded
// automatically if the order is paid already or was cancelled.
func applyTradeStatus(o *Order, outTradeNo string, st payments.TradeStatus, src EventSource, now time.Time) (applied, error) {
	a := findAttempt(o, outTradeNo)
	if a == nil {
		return applied{}, fmt.Errorf("apply %s: %w", outTradeNo, ErrUnknownTrade)
	}
	if st.AmountFen != 0 && Money(st.AmountFen) != a.Amount {
		return applied{}, fmt.Errorf("apply %s: provider says %s, attempt is %s: %w",
			outTradeNo, Money(st.AmountFen), a.Amount, ErrMismatch)
	}
	if st.RawCode != "" {
		a.LastCode = st.RawCode
	}
	a.UpdatedAt = now
	x := &applying{o: o, a: a, src: src, now: now}
	changed, err := true, error(nil)
	switch st.State {
	case payments.StateNotFound, payments.StateWaitingScan:
		err = x.waiting()
	case payments.StateScanned:
		err = x.scanned(st)
	case payments.StatePaid:
		changed, err = x.paid(st)
	case payments.StateRefunded:
		changed, err = x.refunded(st)
	case payments.StateClosed, payments.StateFailed:
		changed, err = x.closed(st)
	default:
		return x.res, fmt.Errorf("apply %s: unknown provider state %q", outTradeNo, st.State)
	}
	if err != nil || !changed {
		return x.res, err
	}
	o.UpdatedAt = now
	return x.res, nil
}

// applying is one provider answer being applied to an order and attempt.
type applying struct {
	o   *Order
	a   *Attempt
	src EventSource
	now time.Time
	res applied
}

func (x *applying) event(kind EventKind, detail string) {
	x.res.events = append(x.res.events, Event{OrderNumber: x.o.Number, At: x.now, Source: x.src,
		Kind: kind, OutTradeNo: x.a.OutTradeNo, Detail: detail})
}

// waiting: the provider has the trade, nobody scanned yet.
func (x *applying) waiting() error {
	if x.a.Status != AttemptCreating || x.a.IsCode() { // a code payment has no "waiting for scan"
		return nil
	}
	if err := move(&x.a.Status, AttemptWaiting, x.a.OutTradeNo); err != nil {
		return err
	}
	x.event(EventWaiting, "provider has the trade; waiting for scan")
	return nil
}

// scanned: the buyer scanned and must confirm.
func (x *applying) scanned(st payments.TradeStatus) error {
	a := x.a
	if a.Status != AttemptCreating && a.Status != AttemptWaiting {
		return nil
	}
	if err := move(&a.Status, AttemptScanned, a.OutTradeNo); err != nil {
		return err
	}
	if st.Buyer != "" {
		a.Buyer = st.Buyer
	}
	x.event(scannedEvent(a))
	return nil
}

// paid: money was taken, on an open attempt or late on a closed one.
// changed is false for a repeat.
func (x *applying) paid(st payments.TradeStatus) (changed bool, err error) {
	o, a := x.o, x.a
	if a.Status == AttemptPaid || a.Status == AttemptRefunded {
		return false, nil
	}
	if err := markPaid(a, st, x.now); err != nil {
		return false, err
	}
	x.event(EventPaid, fmt.Sprintf("paid %s by %s, %s trade %s", a.PaidAmount, orDash(a.Buyer), a.Channel, orDash(a.ProviderTradeNo)))
	x.res.refunds = settlePaidAttempt(o, a, x.now, x.event)
	if o.PaidBy == a.OutTradeNo {
		for _, other := range o.Attempts {
			if other.Open() && other.OutTradeNo != a.OutTradeNo {
				x.res.closes = append(x.res.closes, other.OutTradeNo)
			}
		}
	}
	return true, nil
}

// refunded: paid and refunded before the till saw it (e.g. a
// provider-side cancel refunded it): the money went back, nothing to
// keep. Refunds of a payment the till knows are tracked by its own
// refund records, so a paid attempt is left alone.
func (x *applying) refunded(st payments.TradeStatus) (changed bool, err error) {
	a := x.a
	if a.Status == AttemptPaid || a.Status == AttemptRefunded {
		return false, nil
	}
	if err := markPaid(a, st, x.now); err != nil {
		return false, err
	}
	if err := move(&a.Status, AttemptRefunded, a.OutTradeNo); err != nil {
		return false, err
	}
	x.event(EventRefunded, "provider reports this payment refunded")
	return true, nil
}

// closed: the attempt can no longer be paid (closed, expired, or the
// payment failed).
func (x *applying) closed(st payments.TradeStatus) (changed bool, err error) {
	a := x.a
	if !a.Open() {
		return false, nil
	}
	to := AttemptClosed
	switch {
	case st.State == payments.StateFailed:
		to = AttemptFailed
	case a.Intent == IntentExpire || (a.Intent == "" && !a.ExpiresAt.IsZero() && !x.now.Before(a.ExpiresAt)):
		to = AttemptExpired
	}
	if err := move(&a.Status, to, a.OutTradeNo); err != nil {
		return false, err
	}
	x.event(closedKind(to), closeDetail(a, st))
	return true, settleClosedAttempt(x.o, a, x.now, x.event)
}

// markPaid moves an attempt to paid (from any status but paid and
// refunded: a late payment on a closed attempt counts) and records what
// the provider says about the payment.
func markPaid(a *Attempt, st payments.TradeStatus, now time.Time) error {
	if err := move(&a.Status, AttemptPaid, a.OutTradeNo); err != nil {
		return err
	}
	a.Intent = ""
	if st.ProviderTradeNo != "" {
		a.ProviderTradeNo = st.ProviderTradeNo
	}
	if st.Buyer != "" {
		a.Buyer = st.Buyer
	}
	a.PaidAmount = a.Amount
	if st.PaidFen > 0 {
		a.PaidAmount = Money(st.PaidFen)
	}
	a.PaidAt = st.PaidAt
	if a.PaidAt.IsZero() {
		a.PaidAt = now
	}
	return nil
}

// closedKind is the event of an attempt that ended unpaid.
func closedKind(to AttemptStatus) EventKind {
	switch to {
	case AttemptExpired:
		return EventExpired
	case AttemptFailed:
		return EventFailed
	}
	return EventClosed
}

// settlePaidAttempt decides what a newly paid attempt means for the order,
// and returns the refund numbers to issue.
func settlePaidAttempt(o *Order, a *Attempt, now time.Time, event func(kind EventKind, detail string)) []string {
	switch {
	case o.PaidBy != "" && o.PaidBy != a.OutTradeNo:
		// A second payment for one sale: give it back.
		no := addAutoRefund(o, a, "second payment for an order already paid by "+o.PaidBy, now)
		event(EventDoublePayment, fmt.Sprintf("order was already paid by %s; refunding %s to the buyer automatically (refund %s)", o.PaidBy, a.Amount, no))
		return []string{no}
	case o.Status == OrderCancelled:
		no := addAutoRefund(o, a, "payment landed after the sale was cancelled", now)
		event(EventLatePayment, fmt.Sprintf("payment landed after the sale was cancelled; refunding %s automatically (refund %s)", a.Amount, no))
		return []string{no}
	case a.Amount != o.Total:
		// The basket was edited (Amend) after this attempt was made: its
		// money does not pay the sale as it stands.
		no := addAutoRefund(o, a, "payment for the sale before it was edited", now)
		event(EventLatePayment, fmt.Sprintf("payment of %s landed for the sale before it was edited (now %s); refunding it automatically (refund %s)", a.Amount, o.Total, no))
		return []string{no}
	}
	if o.Status == OrderOpen {
		// Defensive: an attempt is always stored with its order awaiting
		// payment, but an open order that is paid goes through it too.
		_ = move(&o.Status, OrderAwaitingPayment, o.Number)
	}
	// From expired this is a late payment, kept: the buyer paid for these
	// goods, the sale goes on. A refunded or partly refunded order was
	// paid by this attempt before and stays as it is.
	if err := move(&o.Status, OrderPaid, o.Number); err == nil {
		o.PaidBy = a.OutTradeNo
		o.Channel = a.Channel
	}
	return nil
}

// settleClosedAttempt decides what a closed attempt means for the order.
func settleClosedAttempt(o *Order, a *Attempt, now time.Time, event func(kind EventKind, detail string)) error {
	intent := a.Intent
	a.Intent = ""
	if o.Status != OrderAwaitingPayment || openAttempt(o) != nil {
		return nil
	}
	switch {
	case intent == IntentCancel:
		if err := move(&o.Status, OrderCancelled, o.Number); err != nil {
			return err
		}
		event(EventOrderCancelled, "the provider confirmed the QR can no longer be paid; sale cancelled")
	case a.Status == AttemptExpired:
		if err := move(&o.Status, OrderExpired, o.Number); err != nil {
			return err
		}
		event(EventOrderExpired, "the payment window ran out; sale expired")
	}
	return nil
}

func closeDetail(a *Attempt, st payments.TradeStatus) string {
	switch {
	case st.State == payments.StateFailed:
		return "provider reports the payment failed (" + orDash(st.RawCode) + ")"
	case a.Status == AttemptExpired:
		return "payment window ran out; the provider closed the QR"
	case a.Intent == IntentCancel:
		return "provider confirmed the close"
	default:
		return "provider closed the QR (" + orDash(st.RawCode) + ")"
	}
}

// addAutoRefund records a pending full refund of attempt a and returns its number.
func addAutoRefund(o *Order, a *Attempt, reason string, now time.Time) string {
	no := nextRefundNo(o)
	// The trade's amount, not what the buyer paid: with a provider's
	// discount the buyer paid less, and the refund of the whole trade is
	// what gives them all of it back.
	o.Refunds = append(o.Refunds, Refund{RefundNo: no, OutTradeNo: a.OutTradeNo, Amount: a.Amount,
		Reason: reason, Status: payments.RefundPending, CreatedAt: now, UpdatedAt: now})
	return no
}

// nextRefundNo derives a refund number from the order number: unique per
// order, stable, and at most 32 characters.
func nextRefundNo(o *Order) string {
	return fmt.Sprintf("%sR%02d", o.Number, len(o.Refunds)+1)
}
