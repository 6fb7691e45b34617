package pos

import (
	"fmt"
	"slices"
	"time"
)

// The order and attempt state machines. Each table lists, for a status,
// every status it may move to; anything else is ErrForbiddenTransition.
// Every status write of the money path goes through move, so these
// tables are the whole truth about which moves happen.
//
// Self-moves: only partially_refunded → partially_refunded is a move (a
// further partial refund is a real change). Every other status moving to
// itself is refused: a repeated answer from the provider (a poll that
// says "waiting" again) is not a change, and the caller compares before
// it moves (applyTradeStatus does), so a stray repeat never writes an
// event that pretends something happened.
//
// Back to open (Reopen): the cashier returns to the basket to edit it,
// only once every attempt is confirmed closed and nothing was paid.
var orderMoves = map[OrderStatus][]OrderStatus{
	OrderOpen:              {OrderAwaitingPayment, OrderCancelled},
	OrderAwaitingPayment:   {OrderOpen, OrderPaid, OrderCancelled, OrderExpired},
	OrderExpired:           {OrderOpen, OrderAwaitingPayment, OrderPaid}, // edit or pay again; a late payment is kept
	OrderPaid:              {OrderPartiallyRefunded, OrderRefunded},
	OrderPartiallyRefunded: {OrderPartiallyRefunded, OrderRefunded},
	OrderCancelled:         nil, // final: a payment landing after it is refunded, the order stays cancelled
	OrderRefunded:          nil, // final
}

// attemptMoves is the payment attempt state machine. Open statuses
// (creating, waiting, scanned, closing) may jump to any end the provider
// reports, since a poll can miss steps. A closed, expired or failed
// attempt moves once more if the provider later says it was paid after
// all (a late payment: the buyer paid just before the close landed); a
// paid attempt may be refunded. A provider that reports a trade paid and
// refunded in one answer moves the attempt through paid to refunded.
var attemptMoves = map[AttemptStatus][]AttemptStatus{
	AttemptCreating: {AttemptWaiting, AttemptScanned, AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptWaiting:  {AttemptScanned, AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptScanned:  {AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptClosing:  {AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed}, // paid: the buyer beat the close
	AttemptPaid:     {AttemptRefunded},
	AttemptClosed:   {AttemptPaid}, // a late payment
	AttemptExpired:  {AttemptPaid}, // a late payment
	AttemptFailed:   {AttemptPaid}, // a late payment
	AttemptRefunded: nil,
}

// OrderStatuses lists every order status, in lifecycle order.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderOpen, OrderAwaitingPayment, OrderPaid, OrderCancelled, OrderExpired, OrderPartiallyRefunded, OrderRefunded}
}

// AttemptStatuses lists every attempt status, in lifecycle order.
func AttemptStatuses() []AttemptStatus {
	return []AttemptStatus{AttemptCreating, AttemptWaiting, AttemptScanned, AttemptClosing, AttemptPaid,
		AttemptClosed, AttemptExpired, AttemptFailed, AttemptRefunded}
}

// Valid reports whether s is a known order status (for parsing a
// --status flag or a stored record).
func (s OrderStatus) Valid() bool { _, ok := orderMoves[s]; return ok }

// Final reports whether an order in s can never move again.
func (s OrderStatus) Final() bool { return s.Valid() && len(orderMoves[s]) == 0 }

// Valid reports whether s is a known attempt status.
func (s AttemptStatus) Valid() bool { _, ok := attemptMoves[s]; return ok }

// Final reports whether an attempt in s can never move again.
func (s AttemptStatus) Final() bool { return s.Valid() && len(attemptMoves[s]) == 0 }

// status is either machine's status.
type status interface{ OrderStatus | AttemptStatus }

// allowed reports whether the machine of S allows from → to.
func allowed[S status](from, to S) bool {
	var moves []S
	switch f := any(from).(type) {
	case OrderStatus:
		moves = any(orderMoves[f]).([]S)
	case AttemptStatus:
		moves = any(attemptMoves[f]).([]S)
	}
	return slices.Contains(moves, to)
}

// move is the one way a status changes: it sets *s to `to` if the
// machine allows it, and otherwise leaves it alone and returns
// ErrForbiddenTransition naming the order or attempt (by its number) and
// both statuses.
func move[S status](s *S, to S, number string) error {
	if !allowed(*s, to) {
		what := "order"
		if _, ok := any(to).(AttemptStatus); ok {
			what = "attempt"
		}
		return fmt.Errorf("move %s %s from %s to %s: %w", what, number, *s, to, ErrForbiddenTransition)
	}
	*s = to
	return nil
}

// NewOrder makes an open order from basket lines, computing its total.
// It refuses a malformed number (ErrBadOrderNumber), no lines or nothing
// to pay (ErrEmptyBasket), a line whose quantity or total does not add up
// (ErrQuantityLimit), more than MaxLines lines (ErrLineLimit) and a total
// above MaxTotal (ErrTotalLimit). The order keeps its own copy of lines.
func NewOrder(number string, lines []Line, cashier, terminal string, now time.Time) (Order, error) {
	if !ValidOrderNumber(number) {
		return Order{}, fmt.Errorf("new order %q: %w", number, ErrBadOrderNumber)
	}
	if len(lines) == 0 {
		return Order{}, fmt.Errorf("new order %s: %w", number, ErrEmptyBasket)
	}
	if len(lines) > MaxLines {
		return Order{}, fmt.Errorf("new order %s: %d lines, at most %d: %w", number, len(lines), MaxLines, ErrLineLimit)
	}
	var total Money
	for i, l := range lines {
		if l.Quantity < 1 || l.Quantity > MaxQuantity || l.UnitPrice < 0 {
			return Order{}, fmt.Errorf("new order %s: line %d (%s): quantity %d at %s: %w", number, i+1, l.SKU, l.Quantity, l.UnitPrice, ErrQuantityLimit)
		}
		want, err := l.UnitPrice.Mul(l.Quantity)
		if err != nil || want > MaxTotal {
			return Order{}, fmt.Errorf("new order %s: line %d (%s): %w", number, i+1, l.SKU, ErrTotalLimit)
		}
		if l.Total != want {
			return Order{}, fmt.Errorf("new order %s: line %d (%s): total %s is not %d × %s: %w", number, i+1, l.SKU, l.Total, l.Quantity, l.UnitPrice, ErrQuantityLimit)
		}
		total += want // each ≤ MaxTotal, at most MaxLines of them: no overflow
		if total > MaxTotal {
			return Order{}, fmt.Errorf("new order %s: total passes %s: %w", number, MaxTotal, ErrTotalLimit)
		}
	}
	if total <= 0 {
		return Order{}, fmt.Errorf("new order %s: total %s, nothing to pay: %w", number, total, ErrEmptyBasket)
	}
	return Order{Number: number, Status: OrderOpen, Lines: append([]Line(nil), lines...), Total: total,
		Cashier: cashier, Terminal: terminal, CreatedAt: now, UpdatedAt: now}, nil
}
