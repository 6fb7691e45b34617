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
	var res applied
	a := findAttempt(o, outTradeNo)
	if a == nil {
		return res, fmt.Errorf("apply %s: %w", outTradeNo, ErrUnknownTrade)
	}
	if st.AmountFen != 0 && Money(st.AmountFen) != a.Amount {
		return res, fmt.Errorf("apply %s: provider says %s, attempt is %s: %w",
			outTradeNo, Money(st.AmountFen), a.Amount, ErrMismatch)
	}
	event := func(kind, detail string) {
		res.events = append(res.events, Event{OrderNumber: o.Number, At: now, Source: src,
			Kind: kind, OutTradeNo: outTradeNo, Detail: detail})
	}
	if st.RawCode != "" {
		a.LastCode = st.RawCode
	}
	a.UpdatedAt = now

	switch st.State {
	case payments.StateNotFound, payments.StateWaitingScan:
		if a.Status == AttemptCreating {
			if err := moveAttempt(a, AttemptWaiting); err != nil {
				return res, err
			}
			event("waiting", "provider has the trade; waiting for scan")
		}
	case payments.StateScanned:
		if a.Status == AttemptCreating || a.Status == AttemptWaiting {
			if err := moveAttempt(a, AttemptScanned); err != nil {
				return res, err
			}
			if st.Buyer != "" {
				a.Buyer = st.Buyer
			}
			event("scanned", "scanned by buyer "+orDash(a.Buyer)+"; waiting for the buyer to confirm")
		}
	case payments.StatePaid:
		if a.Status == AttemptPaid || a.Status == AttemptRefunded {
			return res, nil
		}
		markPaid(a, st, now)
		event("paid", fmt.Sprintf("paid %s by %s, %s trade %s", a.PaidAmount, orDash(a.Buyer), a.Channel, orDash(a.ProviderTradeNo)))
		res.refunds = settlePaidAttempt(o, a, now, event)
		if o.PaidBy == a.OutTradeNo {
			for _, other := range o.Attempts {
				if other.Open() && other.OutTradeNo != a.OutTradeNo {
					res.closes = append(res.closes, other.OutTradeNo)
				}
			}
		}
	case payments.StateRefunded:
		if a.Status == AttemptPaid || a.Status == AttemptRefunded {
			return res, nil // refunds are tracked by the till's own refund records
		}
		// Paid and refunded before the till saw it (e.g. a provider-side
		// cancel refunded it): the money went back, nothing to keep.
		markPaid(a, st, now)
		a.Status = AttemptRefunded
		event("refunded", "provider reports this payment refunded")
	case payments.StateClosed, payments.StateFailed:
		if !a.Open() {
			return res, nil
		}
		to := AttemptClosed
		switch {
		case st.State == payments.StateFailed:
			to = AttemptFailed
		case a.Intent == IntentExpire || (a.Intent == "" && !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt)):
			to = AttemptExpired
		}
		if err := moveAttempt(a, to); err != nil {
			return res, err
		}
		event(string(to), closeDetail(a, st))
		if err := settleClosedAttempt(o, a, now, event); err != nil {
			return res, err
		}
	default:
		return res, fmt.Errorf("apply %s: unknown provider state %q", outTradeNo, st.State)
	}
	o.UpdatedAt = now
	return res, nil
}

func markPaid(a *Attempt, st payments.TradeStatus, now time.Time) {
	a.Status = AttemptPaid
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
}

// settlePaidAttempt decides what a newly paid attempt means for the order,
// and returns the refund numbers to issue.
func settlePaidAttempt(o *Order, a *Attempt, now time.Time, event func(kind, detail string)) []string {
	switch {
	case o.PaidBy != "" && o.PaidBy != a.OutTradeNo:
		// A second payment for one sale: give it back.
		no := addAutoRefund(o, a, "second payment for an order already paid by "+o.PaidBy, now)
		event("double_payment", fmt.Sprintf("order was already paid by %s; refunding %s to the buyer automatically (refund %s)", o.PaidBy, a.PaidAmount, no))
		return []string{no}
	case o.Status == OrderCancelled:
		no := addAutoRefund(o, a, "payment landed after the sale was cancelled", now)
		event("late_payment", fmt.Sprintf("payment landed after the sale was cancelled; refunding %s automatically (refund %s)", a.PaidAmount, no))
		return []string{no}
	}
	if o.Status == OrderExpired || o.Status == OrderOpen {
		// A late payment on an expired order is accepted: the buyer paid
		// for these goods, the sale goes on.
		_ = moveOrder(o, OrderAwaitingPayment)
	}
	if err := moveOrder(o, OrderPaid); err == nil {
		o.PaidBy = a.OutTradeNo
		o.Channel = a.Channel
	}
	return nil
}

// settleClosedAttempt decides what a closed attempt means for the order.
func settleClosedAttempt(o *Order, a *Attempt, now time.Time, event func(kind, detail string)) error {
	intent := a.Intent
	a.Intent = ""
	if o.Status != OrderAwaitingPayment || openAttempt(o) != nil {
		return nil
	}
	switch {
	case intent == IntentCancel:
		if err := moveOrder(o, OrderCancelled); err != nil {
			return err
		}
		event("order_cancelled", "the provider confirmed the QR can no longer be paid; sale cancelled")
	case a.Status == AttemptExpired:
		if err := moveOrder(o, OrderExpired); err != nil {
			return err
		}
		event("order_expired", "the payment window ran out; sale expired")
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
	o.Refunds = append(o.Refunds, Refund{RefundNo: no, OutTradeNo: a.OutTradeNo, Amount: a.PaidAmount,
		Reason: reason, Status: payments.RefundPending, CreatedAt: now, UpdatedAt: now})
	return no
}

// nextRefundNo derives a refund number from the order number: unique per
// order, stable, and at most 32 characters.
func nextRefundNo(o *Order) string {
	return fmt.Sprintf("%sR%02d", o.Number, len(o.Refunds)+1)
}
