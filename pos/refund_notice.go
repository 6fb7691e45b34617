package pos

import (
	"context"
	"fmt"
	"time"

	"qrtill/payments"
)

// applyRefundNotice books what a verified notification says of a refund:
// one of the till's own settles (done, ABNORMAL, failed); one the till
// never issued — made on the merchant platform or in the provider's app —
// is recorded as an external refund, its amount from the provider, so
// refunded_fen and the day report follow the money.
func (t *Till) applyRefundNotice(ctx context.Context, number, outTradeNo string, rn payments.RefundNotice, src EventSource) error {
	now := t.cfg.Clock()
	_, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		return bookRefundNotice(o, outTradeNo, rn, src, now)
	})
	return err
}

// bookRefundNotice is applyRefundNotice's change to the order, pure: the
// caller stores it in one transaction. The same notice twice changes
// nothing.
func bookRefundNotice(o *Order, outTradeNo string, rn payments.RefundNotice, src EventSource, now time.Time) ([]Event, error) {
	if r := findRefund(o, rn.RefundNo); r != nil && rn.RefundNo != "" {
		return settleRefundIn(o, rn.RefundNo, rn.State, "the provider's notification", now)
	}
	if rn.State == payments.RefundFailed {
		return nil, nil // a refund that was never made outside: nothing to book
	}
	amount := Money(rn.AmountFen)
	if amount == 0 && rn.RefundedFen > 0 { // Alipay says only the trade's total refunded
		amount = Money(rn.RefundedFen) - refundsOn(o, outTradeNo)
	}
	if amount <= 0 {
		return nil, nil // nothing beyond what the till knows of
	}
	no := rn.RefundNo
	if no == "" {
		no = fmt.Sprintf("%sX%02d", o.Number, len(o.Refunds)+1)
	}
	at := rn.At
	if at.IsZero() {
		at = now
	}
	o.Refunds = append(o.Refunds, Refund{RefundNo: no, OutTradeNo: outTradeNo, Amount: amount, Status: rn.State,
		Reason: "refunded outside the till", External: true, CreatedAt: at, UpdatedAt: now})
	o.UpdatedAt = now
	ev := Event{At: now, Source: src, Kind: EventExternalRefund, OutTradeNo: outTradeNo,
		Detail: fmt.Sprintf("refund %s of %s made outside the till (merchant platform or app), booked from the provider", no, amount)}
	if rn.State != payments.RefundSuccess {
		return []Event{ev}, nil // ABNORMAL: reserved, the merchant reissues it
	}
	if err := markRefunded(o, outTradeNo); err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// refundsOn sums every refund on an attempt that is done or may still
// be (pending, ABNORMAL): what the provider may count as refunded.
func refundsOn(o *Order, outTradeNo string) Money {
	var sum Money
	for _, r := range o.Refunds {
		if r.OutTradeNo == outTradeNo && r.Status != payments.RefundFailed {
			sum += r.Amount
		}
	}
	return sum
}
