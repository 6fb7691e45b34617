package pos

import (
	"context"
	"errors"
	"fmt"

	"qrtill/payments"
)

// Pay opens a payment attempt for an order on a channel and asks the
// provider for its QR. The attempt is stored before the provider is
// called; the returned order carries it with its QR content. If the order
// already has an open attempt on the same channel, that one is returned.
// An open attempt on the other channel is closed first, and a new one is
// made only once the provider confirms the close.
func (t *Till) Pay(ctx context.Context, number string, ch payments.Channel) (Order, error) {
	prov, err := t.provider(ch)
	if err != nil {
		return Order{}, err
	}
	unlock := t.lockOrder(number)
	defer unlock()

	o, err := t.loadUnpaid(ctx, number)
	if err != nil {
		return o, err
	}
	if o.Status == OrderCancelled {
		return o, ErrOrderClosed
	}
	if a := openAttempt(&o); a != nil {
		now := t.cfg.Clock()
		if a.Channel == ch && !a.IsCode() && (a.Status == AttemptWaiting || a.Status == AttemptScanned) && now.Before(a.ExpiresAt) {
			t.ensureWatch(o.Number, a.OutTradeNo)
			return o, nil
		}
		o, err = t.closeAttempt(ctx, o.Number, a.OutTradeNo, IntentSwitch, SourceCashier)
		if err != nil {
			return o, err
		}
		if o.PaidBy != "" {
			return o, ErrAlreadyPaid
		}
	}
	o, err = t.storeAttempt(ctx, number, ch)
	if err != nil {
		return o, err
	}
	a := o.Attempts[len(o.Attempts)-1]
	cctx, cancel := t.callCtx(ctx)
	qr, qerr := prov.CreateQR(cctx, payments.QRRequest{
		OutTradeNo: a.OutTradeNo, AmountFen: int64(a.Amount), Subject: t.subject(o),
		ExpiresAt: a.ExpiresAt, NotifyURL: t.cfg.NotifyURL(ch),
	})
	cancel()
	if qerr != nil {
		return t.failQR(ctx, o.Number, a.OutTradeNo, qerr)
	}
	o, err = t.storeQR(ctx, number, a.OutTradeNo, qr)
	if err != nil {
		return o, err
	}
	t.ensureWatch(o.Number, a.OutTradeNo)
	return o, nil
}

// storeAttempt stores a new QR attempt on channel ch, before the
// provider is asked for anything; it is the order's last attempt.
func (t *Till) storeAttempt(ctx context.Context, number string, ch payments.Channel) (Order, error) {
	return t.storeNewAttempt(ctx, number, ch, KindQR, t.cfg.PaymentWindow, func(a *Attempt) (EventKind, string) {
		return EventAttempt, fmt.Sprintf("asking %s for a QR for %s", ch, a.Amount)
	})
}

// storeQR stores the QR the provider issued and moves the attempt to
// waiting, unless a notification or poll got there first.
func (t *Till) storeQR(ctx context.Context, number, outTradeNo string, qr payments.QR) (Order, error) {
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		a := findAttempt(o, outTradeNo)
		if a == nil || a.Status != AttemptCreating {
			return nil, nil
		}
		a.QRContent = qr.Content
		if !qr.ExpiresAt.IsZero() && qr.ExpiresAt.Before(a.ExpiresAt) {
			a.ExpiresAt = qr.ExpiresAt
		}
		if err := move(&a.Status, AttemptWaiting, a.OutTradeNo); err != nil {
			return nil, err
		}
		a.UpdatedAt = t.cfg.Clock()
		return []Event{{At: a.UpdatedAt, Source: SourceCashier, Kind: EventQRIssued, OutTradeNo: outTradeNo,
			Detail: fmt.Sprintf("%s QR issued; expires %s", a.Channel, a.ExpiresAt.Format("15:04:05"))}}, nil
	})
	if err != nil {
		return o, fmt.Errorf("store QR: %w", err)
	}
	return o, nil
}

// failQR settles an attempt whose QR request failed. A refusal fails the
// attempt. An unknown outcome (timeout, 5xx) leaves a trade that might
// exist at the provider: nobody saw its QR, but the till still closes it
// so it can never be paid.
func (t *Till) failQR(ctx context.Context, number, outTradeNo string, qerr error) (Order, error) {
	now := t.cfg.Clock()
	if errors.Is(qerr, payments.ErrRejected) {
		o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
			a := findAttempt(o, outTradeNo)
			if a == nil || !a.Open() {
				return nil, nil
			}
			if err := move(&a.Status, AttemptFailed, a.OutTradeNo); err != nil {
				return nil, err
			}
			a.UpdatedAt = now
			return []Event{{At: now, Source: SourceCashier, Kind: EventFailed, OutTradeNo: outTradeNo,
				Detail: "provider refused the QR: " + qerr.Error()}}, nil
		})
		if err != nil {
			return o, err
		}
		return o, qerr
	}
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		a := findAttempt(o, outTradeNo)
		if a == nil || !a.Open() {
			return nil, nil
		}
		a.Intent = IntentAbandon
		a.UpdatedAt = now
		return []Event{{At: now, Source: SourceSystem, Kind: EventQRUnknown, OutTradeNo: outTradeNo,
			Detail: "no answer to the QR request; closing it at the provider to be safe"}}, nil
	})
	if err != nil {
		return o, err
	}
	t.ensureWatch(number, outTradeNo)
	return o, qerr
}

// Cancel gives up a sale. With an open attempt the provider is asked to
// close it first; the order is cancelled only when the provider confirms.
// If the buyer paid meanwhile the order comes back paid (and no error).
// ErrClosePending means the provider did not answer: the till keeps
// trying in the background and the order stays awaiting payment.
func (t *Till) Cancel(ctx context.Context, number string) (Order, error) {
	unlock := t.lockOrder(number)
	defer unlock()
	o, err := t.loadUnpaid(ctx, number)
	if err != nil || o.Status == OrderCancelled {
		return o, err
	}
	if a := openAttempt(&o); a != nil {
		return t.closeAttempt(ctx, number, a.OutTradeNo, IntentCancel, SourceCashier)
	}
	now := t.cfg.Clock()
	return t.update(ctx, number, func(o *Order) ([]Event, error) {
		if openAttempt(o) != nil {
			return nil, ErrClosePending
		}
		if err := move(&o.Status, OrderCancelled, o.Number); err != nil {
			return nil, err
		}
		o.UpdatedAt = now
		return []Event{{At: now, Source: SourceCashier, Kind: EventOrderCancelled, Detail: "sale cancelled by the cashier"}}, nil
	})
}

// closeAttempt records the intent to close, asks the provider (a QR is
// closed, a code payment reversed: endTrade), and applies its answer. On
// a provider failure the watcher keeps retrying the close.
func (t *Till) closeAttempt(ctx context.Context, number, outTradeNo string, intent Intent, src EventSource) (Order, error) {
	now := t.cfg.Clock()
	var closing Attempt
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		a := findAttempt(o, outTradeNo)
		if a == nil {
			return nil, ErrUnknownTrade
		}
		if !a.Open() {
			return nil, nil
		}
		a.Intent = intent
		a.UpdatedAt = now
		if a.Status != AttemptClosing {
			if err := move(&a.Status, AttemptClosing, a.OutTradeNo); err != nil {
				return nil, err
			}
		}
		closing = *a
		kind, detail := closingEvent(a, intent)
		return []Event{{At: now, Source: src, Kind: kind, OutTradeNo: outTradeNo, Detail: detail}}, nil
	})
	if err != nil || closing.Channel == "" {
		return o, err
	}
	prov, err := t.provider(closing.Channel)
	if err != nil {
		return o, err
	}
	cctx, cancel := t.callCtx(ctx)
	st, cerr := endTrade(cctx, prov, closing)
	cancel()
	if cerr != nil {
		t.log.Warn("close failed; retrying", "out_trade_no", outTradeNo, "err", cerr)
		t.ensureWatch(number, outTradeNo)
		return o, fmt.Errorf("%w: %w", ErrClosePending, cerr)
	}
	return t.apply(ctx, number, outTradeNo, st, src)
}

// apply stores a provider answer about an attempt and follows up on it.
func (t *Till) apply(ctx context.Context, number, outTradeNo string, st payments.TradeStatus, src EventSource) (Order, error) {
	var res applied
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		var err error
		res, err = applyTradeStatus(o, outTradeNo, st, src, t.cfg.Clock())
		return res.events, err
	})
	if err != nil {
		return o, err
	}
	if a := findAttempt(&o, outTradeNo); a != nil && !a.Open() {
		t.stopWatch(outTradeNo)
	}
	for _, no := range res.refunds {
		t.goRefund(number, no)
	}
	for _, other := range res.closes {
		t.goClose(number, other)
	}
	return o, nil
}

// loadUnpaid loads an order the cashier wants to pay or cancel;
// ErrAlreadyPaid if it was paid.
func (t *Till) loadUnpaid(ctx context.Context, number string) (Order, error) {
	o, err := t.store.Order(ctx, number)
	if err != nil {
		return Order{}, fmt.Errorf("load order %s: %w", number, err)
	}
	switch o.Status {
	case OrderPaid, OrderPartiallyRefunded, OrderRefunded:
		return o, ErrAlreadyPaid
	}
	return o, nil
}

func (t *Till) subject(o Order) string {
	shop := t.cfg.ShopName
	if shop == "" {
		shop = "qrtill"
	}
	return shop + " #" + o.Number
}
