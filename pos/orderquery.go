package pos

import "qrtill/payments"

// OpenAttempt returns a copy of the order's open attempt (Attempt.Open),
// if any. The till keeps at most one open at a time.
func (o Order) OpenAttempt() (Attempt, bool) {
	for _, a := range o.Attempts {
		if a.Open() {
			return a, true
		}
	}
	return Attempt{}, false
}

// LastAttempt returns a copy of the order's newest attempt, if any.
func (o Order) LastAttempt() (Attempt, bool) {
	if len(o.Attempts) == 0 {
		return Attempt{}, false
	}
	return o.Attempts[len(o.Attempts)-1], true
}

// Attempt returns the attempt with this out_trade_no, as a pointer into
// o.Attempts so the caller can change it, or nil.
func (o *Order) Attempt(outTradeNo string) *Attempt {
	for i := range o.Attempts {
		if o.Attempts[i].OutTradeNo == outTradeNo {
			return &o.Attempts[i]
		}
	}
	return nil
}

// PaidAmount is what the order was paid: the amount of the attempt that
// paid it (PaidBy), which is what refunds are measured against; 0 while
// unpaid. A second payment refunded automatically does not count. (The
// buyer's own outlay, Attempt.PaidAmount, can be lower after a provider
// discount; the shop refunds against the trade amount.)
func (o Order) PaidAmount() Money {
	if o.PaidBy == "" {
		return 0
	}
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy {
			return a.Amount
		}
	}
	return 0
}

// RefundedAmount is how much of the order's payment is refunded or being
// refunded: refunds on the paying attempt that succeeded or are still
// pending. Pending ones count so two refunds in flight can never give
// back more than was paid.
func (o Order) RefundedAmount() Money {
	var sum Money
	for _, r := range o.Refunds {
		if o.PaidBy != "" && r.OutTradeNo == o.PaidBy && r.Status != payments.RefundFailed {
			sum += r.Amount
		}
	}
	return sum
}

// Refunded is the money given back on the order's payment so far:
// refunds on the paying attempt that succeeded (`refunded_fen` in
// `qrtill orders`).
func (o Order) Refunded() Money {
	var sum Money
	for _, r := range o.Refunds {
		if o.PaidBy != "" && r.OutTradeNo == o.PaidBy && r.Status == payments.RefundSuccess {
			sum += r.Amount
		}
	}
	return sum
}

// Refundable is how much can still be refunded: PaidAmount less
// RefundedAmount, never below zero.
func (o Order) Refundable() Money {
	if left := o.PaidAmount() - o.RefundedAmount(); left > 0 {
		return left
	}
	return 0
}
