package pos

import (
	"context"
	"fmt"
	"strings"

	"qrtill/payments"
)

// MaxCash is the most cash one sale takes: ¥100,000.00. A larger amount
// is a typing slip, not a customer's wallet.
const MaxCash = Money(100_000_00)

// ParseCashGiven reads the cash amount the cashier typed: empty (Enter
// alone) is 0, the exact total; anything else is ParseMoney's (an amount
// with letters is ErrBadMoney, one sentence).
func ParseCashGiven(s string) (Money, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return ParseMoney(s)
}

// CashChange checks the cash given for a total and returns what it
// counts as and the change due. Given 0 is the exact total. More than
// MaxCash is ErrCashTooMuch, less than the total ErrCashShort, a
// negative amount ErrBadMoney; each is one sentence.
func CashChange(total, given Money) (counted, change Money, err error) {
	switch {
	case given == 0:
		return total, 0, nil
	case given < 0:
		return 0, 0, sentence(ErrBadMoney, "%s is negative; type the cash the customer gave, like 100", given)
	case given > MaxCash:
		return 0, 0, sentence(ErrCashTooMuch, "%s is more cash than one sale takes (at most %s); check the amount.", given, MaxCash)
	case given < total:
		return 0, 0, sentence(ErrCashShort, "%s is less than the total %s; %s more is needed.", given, total, total-given)
	}
	return given, given - total, nil
}

// PayCash takes cash for an order: given is what the customer handed
// over (0 = the exact total). The amount is checked first (CashChange:
// too little or too much is a sentence, and nothing is stored or sent).
// An open QR or code attempt is then closed at the provider (confirmed,
// as for a change of channel; ErrClosePending otherwise, ErrAlreadyPaid
// if it was paid meanwhile). The order is paid by channel cash in one
// step, its cash attempt recording the cash given and the change due.
func (t *Till) PayCash(ctx context.Context, number string, given Money) (Order, error) {
	unlock := t.lockOrder(number)
	defer unlock()
	o, err := t.loadUnpaid(ctx, number)
	if err != nil {
		return o, err
	}
	if _, _, err := CashChange(o.Total, given); err != nil {
		return o, err
	}
	if o, err = t.freeToCharge(ctx, number, false); err != nil {
		return o, err
	}
	now := t.cfg.Clock()
	return t.update(ctx, number, func(o *Order) ([]Event, error) {
		counted, change, err := CashChange(o.Total, given)
		switch {
		case err != nil:
			return nil, err
		case o.PaidBy != "":
			return nil, ErrAlreadyPaid
		case openAttempt(o) != nil:
			return nil, ErrClosePending
		}
		a, err := addAttempt(o, payments.Cash, KindCash, now, 0)
		if err != nil {
			return nil, err
		}
		a.CashGiven, a.Change = counted, change
		if err := markPaid(a, payments.TradeStatus{PaidAt: now}, now); err != nil {
			return nil, err
		}
		settlePaidAttempt(o, a, now, func(EventKind, string) {}) // the order was unpaid: it is paid, nothing to refund
		return []Event{{At: now, Source: SourceCashier, Kind: EventCashPaid, OutTradeNo: a.OutTradeNo,
			Detail: fmt.Sprintf("paid %s in cash: given %s, change %s", a.Amount, counted, change)}}, nil
	})
}

// Cash returns what a cash sale took: the cash given and the change due
// of the attempt that paid the order; ok is false unless it was cash.
func (o Order) Cash() (given, change Money, ok bool) {
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy && o.PaidBy != "" && a.Kind == KindCash {
			return a.CashGiven, a.Change, true
		}
	}
	return 0, 0, false
}
