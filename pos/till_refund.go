package pos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qrtill/payments"
)

// ErrRefundPending means the provider has not confirmed a refund yet; the
// till keeps asking in the background and the refund stays reserved.
var ErrRefundPending = errors.New("refund is pending at the provider")

// ErrRefundAbnormal means the provider made the refund but could not pay
// it into the buyer's account (WeChat ABNORMAL): the manager must reissue
// it on the merchant platform; its amount stays reserved.
var ErrRefundAbnormal = errors.New("refund is abnormal at the provider")

// Refundable is how much of an order's payment can still be refunded:
// the paid amount less every refund that succeeded or is pending.
func Refundable(o Order) Money { return o.Refundable() }

// Refund gives back part or all of a paid order. The refund is stored
// (and the amount reserved) before the provider is asked, under a refund
// number the provider treats as an idempotency key, so a retry after a
// crash or timeout can never refund twice. A cash sale is refunded from
// the drawer, with no provider. Only a manager may refund (the role on
// ctx, WithRole): a cashier gets ErrRefundManagerOnly.
func (t *Till) Refund(ctx context.Context, number string, amount Money, reason string) (Order, error) {
	if err := needManager(ctx, ErrRefundManagerOnly, "Only a manager can refund."); err != nil {
		return Order{}, err
	}
	if amount <= 0 {
		return Order{}, fmt.Errorf("refund %s: amount %s must be more than ¥0.00: %w", number, amount, ErrRefundTooMuch)
	}
	unlock := t.lockOrder(number)
	var refundNo string
	now := t.cfg.Clock()
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		switch o.Status {
		case OrderPaid, OrderPartiallyRefunded:
		default:
			return nil, fmt.Errorf("refund %s (status %s): %w", o.Number, o.Status, ErrNotPaid)
		}
		if left := Refundable(*o); amount > left {
			return nil, fmt.Errorf("refund %s of order %s: only %s can still be refunded: %w", amount, o.Number, left, ErrRefundTooMuch)
		}
		refundNo = nextRefundNo(o)
		o.Refunds = append(o.Refunds, Refund{RefundNo: refundNo, OutTradeNo: o.PaidBy, Amount: amount,
			Reason: reason, Status: payments.RefundPending, CreatedAt: now, UpdatedAt: now})
		o.UpdatedAt = now
		return []Event{{At: now, Source: SourceCashier, Kind: EventRefundRequested, OutTradeNo: o.PaidBy,
			Detail: fmt.Sprintf("refund %s of %s requested (%s)", refundNo, amount, orDash(reason))}}, nil
	})
	unlock()
	if err != nil {
		return o, err
	}
	return t.issueRefund(ctx, number, refundNo)
}

// issueRefund asks the provider for a stored pending refund and stores
// the answer. On an unknown outcome it keeps retrying in the background.
func (t *Till) issueRefund(ctx context.Context, number, refundNo string) (Order, error) {
	o, err := t.store.Order(ctx, number)
	if err != nil {
		return o, err
	}
	r := findRefund(&o, refundNo)
	if r == nil || r.Status != payments.RefundPending {
		return o, nil
	}
	a := findAttempt(&o, r.OutTradeNo)
	if a == nil {
		return o, fmt.Errorf("refund %s: %w", refundNo, ErrUnknownTrade)
	}
	if a.Kind == KindCash { // handed back from the drawer: no provider
		return t.settleRefund(ctx, number, refundNo, payments.RefundSuccess, "cash")
	}
	prov, err := t.provider(a.Channel)
	if err != nil {
		return o, err
	}
	cctx, cancel := t.callCtx(ctx)
	res, rerr := prov.Refund(cctx, refundRequest(*a, *r))
	cancel()
	switch {
	case rerr != nil && errors.Is(rerr, payments.ErrRejected):
		o, err = t.settleRefund(ctx, number, refundNo, payments.RefundFailed, rerr.Error())
		if err != nil {
			return o, err
		}
		return o, rerr
	case rerr != nil:
		t.goRefund(number, refundNo)
		return o, fmt.Errorf("%w: %w", ErrRefundPending, rerr)
	case res.State == payments.RefundPending:
		t.goRefund(number, refundNo)
		return o, ErrRefundPending
	}
	o, err = t.settleRefund(ctx, number, refundNo, res.State, res.RawCode)
	if err == nil && res.State == payments.RefundAbnormal {
		err = ErrRefundAbnormal
	}
	return o, err
}

// settleRefund stores what the provider says of a refund and moves the
// order.
func (t *Till) settleRefund(ctx context.Context, number, refundNo string, state payments.RefundState, detail string) (Order, error) {
	now := t.cfg.Clock()
	return t.update(ctx, number, func(o *Order) ([]Event, error) {
		return settleRefundIn(o, refundNo, state, detail, now)
	})
}

// settleRefundIn applies a refund's new state to the order: a refund
// done moves the order to partly or wholly refunded; a failed one frees
// its amount; an ABNORMAL one keeps it reserved and tells the manager
// what to do. Only an unsettled refund moves; the same answer twice
// changes nothing.
func settleRefundIn(o *Order, refundNo string, state payments.RefundState, detail string, now time.Time) ([]Event, error) {
	r := findRefund(o, refundNo)
	if r == nil || !r.Unsettled() || r.Status == state {
		return nil, nil
	}
	r.Status, r.UpdatedAt, o.UpdatedAt = state, now, now
	switch state {
	case payments.RefundSuccess:
	case payments.RefundAbnormal:
		return []Event{{At: now, Source: SourceSystem, Kind: EventRefundAbnormal, OutTradeNo: r.OutTradeNo,
			Detail: fmt.Sprintf("refund %s of %s is ABNORMAL: WeChat Pay could not pay it into the buyer's account "+
				"(a closed bank card, a frozen balance). The money waits in WeChat Pay; on the merchant platform, "+
				"reissue the refund to the buyer's balance or another card. The amount stays reserved until then.",
				refundNo, r.Amount)}}, nil
	default:
		return []Event{{At: now, Source: SourceSystem, Kind: EventRefundFailed, OutTradeNo: r.OutTradeNo,
			Detail: fmt.Sprintf("refund %s of %s failed: %s", refundNo, r.Amount, orDash(detail))}}, nil
	}
	if err := markRefunded(o, r.OutTradeNo); err != nil {
		return nil, err
	}
	return []Event{{At: now, Source: SourceSystem, Kind: EventRefunded, OutTradeNo: r.OutTradeNo,
		Detail: fmt.Sprintf("refund %s of %s done", refundNo, r.Amount)}}, nil
}

// markRefunded moves the order, or a second payment's attempt, as far as
// the refunds done on an attempt reach.
func markRefunded(o *Order, outTradeNo string) error {
	a := findAttempt(o, outTradeNo)
	refunded := refundedOn(o, outTradeNo)
	switch {
	case outTradeNo == o.PaidBy && a != nil && refunded >= a.Amount:
		if o.Status != OrderRefunded {
			return move(&o.Status, OrderRefunded, o.Number)
		}
	case outTradeNo == o.PaidBy:
		return move(&o.Status, OrderPartiallyRefunded, o.Number)
	case a != nil && a.Status == AttemptPaid && refunded >= a.PaidAmount:
		return move(&a.Status, AttemptRefunded, a.OutTradeNo)
	}
	return nil
}

// goRefund keeps asking the provider about a pending refund, with
// backoff, until it is settled or the till stops.
func (t *Till) goRefund(number, refundNo string) {
	t.mu.Lock()
	if t.ctx.Err() != nil || t.refunds[refundNo] {
		t.mu.Unlock()
		return
	}
	t.refunds[refundNo] = true
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		defer func() {
			t.mu.Lock()
			delete(t.refunds, refundNo)
			t.mu.Unlock()
		}()
		t.retry(nil, func(int) bool { return t.retryRefund(number, refundNo) })
	}()
}

// retryRefund follows a pending refund once: it asks first (the earlier
// request may have gone through) and sends the request again only if the
// provider never got it. It reports done when the refund is settled or
// cannot be followed any more.
func (t *Till) retryRefund(number, refundNo string) (done bool) {
	o, err := t.store.Order(t.ctx, number)
	if err != nil {
		return true
	}
	r := findRefund(&o, refundNo)
	if r == nil || !r.Unsettled() {
		return true
	}
	a := findAttempt(&o, r.OutTradeNo)
	if a == nil {
		return true
	}
	prov, err := t.provider(a.Channel)
	if err != nil {
		return true
	}
	cctx, cancel := t.callCtx(t.ctx)
	res, qerr := prov.QueryRefund(cctx, a.OutTradeNo, refundNo)
	cancel()
	switch {
	case qerr == nil && res.State == payments.RefundAbnormal:
		// ABNORMAL waits for the merchant to act, maybe for days: it is
		// asked about again at the next start, not every few seconds.
		_, err := t.settleRefund(t.ctx, number, refundNo, res.State, res.RawCode)
		return err == nil
	case qerr == nil && res.State != payments.RefundPending:
		_, err := t.settleRefund(t.ctx, number, refundNo, res.State, res.RawCode)
		return err == nil
	case qerr == nil:
		return false // still pending at the provider
	case !errors.Is(qerr, payments.ErrNotFound):
		t.log.Warn("refund query failed", "refund_no", refundNo, "err", qerr)
		return false
	}
	if r.Status == payments.RefundAbnormal {
		return false // made, and waiting at the provider: never sent again
	}
	// Not found: the refund request never landed; send it again.
	cctx, cancel = t.callCtx(t.ctx)
	res, rerr := prov.Refund(cctx, refundRequest(*a, *r))
	cancel()
	switch {
	case rerr != nil && errors.Is(rerr, payments.ErrRejected):
		_, _ = t.settleRefund(t.ctx, number, refundNo, payments.RefundFailed, rerr.Error())
		return true
	case rerr == nil && res.State != payments.RefundPending:
		_, err := t.settleRefund(t.ctx, number, refundNo, res.State, res.RawCode)
		return err == nil
	}
	return false
}

// refundRequest is the provider request for refund r of attempt a; the
// refund number makes sending it twice one refund.
func refundRequest(a Attempt, r Refund) payments.RefundRequest {
	return payments.RefundRequest{OutTradeNo: a.OutTradeNo, RefundNo: r.RefundNo,
		AmountFen: int64(r.Amount), TotalFen: int64(a.Amount), Reason: r.Reason}
}

func findRefund(o *Order, refundNo string) *Refund {
	for i := range o.Refunds {
		if o.Refunds[i].RefundNo == refundNo {
			return &o.Refunds[i]
		}
	}
	return nil
}

// refundedOn sums the successful refunds on one attempt.
func refundedOn(o *Order, outTradeNo string) Money {
	var sum Money
	for _, r := range o.Refunds {
		if r.OutTradeNo == outTradeNo && r.Status == payments.RefundSuccess {
			sum += r.Amount
		}
	}
	return sum
}
