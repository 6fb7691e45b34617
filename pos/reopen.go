package pos

import (
	"context"
	"fmt"
)

// An editable sale: after checkout the cashier may go back to the basket
// (Reopen), change it (Amend) and check out again. The order keeps its
// number and daily number; new attempts charge the new total. An order
// is reopened only once no attempt can be paid any more, so an order
// being edited is never payable, and one that got paid stays paid.

// Reopen takes an unpaid order back to the basket: any open attempt is
// closed at the provider first (a QR closed, a code payment reversed),
// then the order is open again for Amend. A payment that landed
// meanwhile makes the order paid: it is returned with ErrAlreadyPaid, so
// the screen shows it paid instead of the basket. A close the provider
// has not confirmed is ErrClosePending (the till keeps trying; ask
// again). A cancelled order is ErrOrderClosed; an open one is returned
// as it is.
func (t *Till) Reopen(ctx context.Context, number string) (Order, error) {
	unlock := t.lockOrder(number)
	defer unlock()
	o, err := t.loadUnpaid(ctx, number)
	switch {
	case err != nil:
		return o, err
	case o.Status == OrderOpen:
		return o, nil
	case o.Status == OrderCancelled:
		return o, ErrOrderClosed
	}
	if a := openAttempt(&o); a != nil {
		no := a.OutTradeNo
		if o, err = t.closeAttempt(ctx, number, no, IntentReopen, SourceCashier); err != nil {
			return o, err
		}
		if o.PaidBy != "" {
			return o, fmt.Errorf("reopen %s: paid while the QR was being closed: %w", number, ErrAlreadyPaid)
		}
	}
	now := t.cfg.Clock()
	return t.update(ctx, number, func(o *Order) ([]Event, error) {
		switch {
		case o.PaidBy != "":
			return nil, ErrAlreadyPaid
		case openAttempt(o) != nil:
			return nil, fmt.Errorf("reopen %s: %w", o.Number, ErrClosePending)
		case o.Status == OrderOpen:
			return nil, nil
		}
		if err := move(&o.Status, OrderOpen, o.Number); err != nil {
			return nil, err
		}
		o.UpdatedAt = now
		return []Event{{At: now, Source: SourceCashier, Kind: EventReopened,
			Detail: "back to the basket to edit the sale; nothing can be paid until it is checked out again"}}, nil
	})
}

// Amend replaces the lines of an open order (a new checkout, or one
// taken back by Reopen) and its total, checked as NewOrder checks a
// basket; the event log records the edit. An order in any other status
// is ErrNotOpen: Reopen it first.
func (t *Till) Amend(ctx context.Context, number string, lines []Line) (Order, error) {
	unlock := t.lockOrder(number)
	defer unlock()
	now := t.cfg.Clock()
	return t.update(ctx, number, func(o *Order) ([]Event, error) {
		if o.Status != OrderOpen {
			return nil, sentence(ErrNotOpen, "Order %s is %s; go back to the basket before changing it.", o.Number, o.Status)
		}
		edited, err := NewOrder(o.Number, lines, o.Cashier, o.Terminal, now)
		if err != nil {
			return nil, err
		}
		before := o.Total
		o.Lines, o.Total, o.UpdatedAt = edited.Lines, edited.Total, now
		return []Event{{At: now, Source: SourceCashier, Kind: EventAmended,
			Detail: fmt.Sprintf("basket edited: %d lines, total %s → %s", len(o.Lines), before, o.Total)}}, nil
	})
}
