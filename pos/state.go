package pos

import (
	"fmt"
	"time"
)

// The order and attempt state machines. Each table lists, for a status,
// every status it may move to; anything else is ErrForbiddenTransition.
//
// Self-moves: only partially_refunded → partially_refunded is a move (a
// further partial refund is a real change). Every other status moving to
// itself is refused: a repeated answer from the provider (a poll that
// says "waiting" again) is not a change, and the caller compares before
// it moves (applyTradeStatus does), so a stray repeat never writes an
// event that pretends something happened.
var orderMoves = map[OrderStatus][]OrderStatus{
	OrderOpen:              {OrderAwaitingPayment, OrderCancelled},
	OrderAwaitingPayment:   {OrderPaid, OrderCancelled, OrderExpired},
	OrderExpired:           {OrderAwaitingPayment, OrderPaid}, // pay again; a late payment is kept
	OrderPaid:              {OrderPartiallyRefunded, OrderRefunded},
	OrderPartiallyRefunded: {OrderPartiallyRefunded, OrderRefunded},
	OrderCancelled:         nil, // final: a payment landing after it is refunded, the order stays cancelled
	OrderRefunded:          nil, // final
}

// attemptMoves is the payment attempt state machine. Open statuses
// (creating, waiting, scanned, closing) may jump to any end the provider
// reports, since a poll can miss steps; the ends are final but for
// paid → refunded.
var attemptMoves = map[AttemptStatus][]AttemptStatus{
	AttemptCreating: {AttemptWaiting, AttemptScanned, AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptWaiting:  {AttemptScanned, AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptScanned:  {AttemptClosing, AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptClosing:  {AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed}, // paid: the buyer beat the close
	AttemptPaid:     {AttemptRefunded},
	AttemptClosed:   nil,
	AttemptExpired:  nil,
	AttemptFailed:   nil,
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

// CanMoveOrder reports whether an order may move from one status to another.
func CanMoveOrder(from, to OrderStatus) bool { return contains(orderMoves[from], to) }

// CanMoveAttempt reports whether an attempt may move from one status to another.
func CanMoveAttempt(from, to AttemptStatus) bool { return contains(attemptMoves[from], to) }

// CanTransition reports whether either machine allows from → to:
// CanMoveOrder for order statuses, CanMoveAttempt for attempt statuses.
func CanTransition[S OrderStatus | AttemptStatus](from, to S) bool {
	switch f := any(from).(type) {
	case OrderStatus:
		return CanMoveOrder(f, any(to).(OrderStatus))
	case AttemptStatus:
		return CanMoveAttempt(f, any(to).(AttemptStatus))
	}
	return false
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetStatus moves the order to status to if the state machine allows it;
// otherwise it leaves the order alone and returns ErrForbiddenTransition
// naming the order and both statuses.
func (o *Order) SetStatus(to OrderStatus) error {
	if !CanMoveOrder(o.Status, to) {
		return fmt.Errorf("move order %s from %s to %s: %w", o.Number, o.Status, to, ErrForbiddenTransition)
	}
	o.Status = to
	return nil
}

// SetStatus moves the attempt to status to if the state machine allows
// it; otherwise it returns ErrForbiddenTransition naming both statuses.
func (a *Attempt) SetStatus(to AttemptStatus) error {
	if !CanMoveAttempt(a.Status, to) {
		return fmt.Errorf("move attempt %s from %s to %s: %w", a.OutTradeNo, a.Status, to, ErrForbiddenTransition)
	}
	a.Status = to
	return nil
}

// moveOrder is o.SetStatus(to), kept for the till's code.
func moveOrder(o *Order, to OrderStatus) error { return o.SetStatus(to) }

// moveAttempt is a.SetStatus(to), kept for the till's code.
func moveAttempt(a *Attempt, to AttemptStatus) error { return a.SetStatus(to) }

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
