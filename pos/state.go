package pos

import (
	"fmt"
	"time"
)

// orderMoves is the order state machine: from → the statuses it may move to.
var orderMoves = map[OrderStatus][]OrderStatus{
	OrderOpen:              {OrderAwaitingPayment, OrderCancelled},
	OrderAwaitingPayment:   {OrderPaid, OrderCancelled, OrderExpired},
	OrderExpired:           {OrderAwaitingPayment, OrderPaid}, // pay again; a late payment is kept
	OrderPaid:              {OrderPartiallyRefunded, OrderRefunded},
	OrderPartiallyRefunded: {OrderPartiallyRefunded, OrderRefunded},
	OrderCancelled:         nil,
	OrderRefunded:          nil,
}

// attemptMoves is the payment attempt state machine.
var attemptMoves = map[AttemptStatus][]AttemptStatus{
	AttemptCreating: {AttemptWaiting, AttemptScanned, AttemptPaid, AttemptFailed, AttemptClosing, AttemptClosed, AttemptExpired},
	AttemptWaiting:  {AttemptScanned, AttemptPaid, AttemptClosing, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptScanned:  {AttemptPaid, AttemptClosing, AttemptClosed, AttemptExpired, AttemptFailed},
	AttemptClosing:  {AttemptClosed, AttemptExpired, AttemptPaid, AttemptFailed},
	AttemptPaid:     {AttemptRefunded},
	AttemptClosed:   nil,
	AttemptExpired:  nil,
	AttemptFailed:   nil,
	AttemptRefunded: nil,
}

// OrderStatuses lists every order status.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderOpen, OrderAwaitingPayment, OrderPaid, OrderCancelled, OrderExpired, OrderPartiallyRefunded, OrderRefunded}
}

// AttemptStatuses lists every attempt status.
func AttemptStatuses() []AttemptStatus {
	return []AttemptStatus{AttemptCreating, AttemptWaiting, AttemptScanned, AttemptClosing, AttemptPaid,
		AttemptClosed, AttemptExpired, AttemptFailed, AttemptRefunded}
}

// CanMoveOrder reports whether an order may move from one status to another.
func CanMoveOrder(from, to OrderStatus) bool { return contains(orderMoves[from], to) }

// CanMoveAttempt reports whether an attempt may move from one status to another.
func CanMoveAttempt(from, to AttemptStatus) bool { return contains(attemptMoves[from], to) }

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// moveOrder sets o's status if the state machine allows it.
func moveOrder(o *Order, to OrderStatus) error {
	if !CanMoveOrder(o.Status, to) {
		return fmt.Errorf("order %s: %s → %s: %w", o.Number, o.Status, to, ErrForbiddenTransition)
	}
	o.Status = to
	return nil
}

// moveAttempt sets a's status if the state machine allows it.
func moveAttempt(a *Attempt, to AttemptStatus) error {
	if !CanMoveAttempt(a.Status, to) {
		return fmt.Errorf("attempt %s: %s → %s: %w", a.OutTradeNo, a.Status, to, ErrForbiddenTransition)
	}
	a.Status = to
	return nil
}

// NewOrder makes an open order from basket lines, computing its total.
func NewOrder(number string, lines []Line, cashier, terminal string, now time.Time) (Order, error) {
	if !ValidOrderNumber(number) {
		return Order{}, fmt.Errorf("new order %q: %w", number, ErrBadOrderNumber)
	}
	if len(lines) == 0 {
		return Order{}, ErrEmptyBasket
	}
	var total Money
	for _, l := range lines {
		if l.Quantity <= 0 || l.Total < 0 {
			return Order{}, fmt.Errorf("new order: line %s: %w", l.SKU, ErrQuantityLimit)
		}
		total += l.Total
		if total > MaxTotal {
			return Order{}, fmt.Errorf("new order: %w", ErrTotalLimit)
		}
	}
	if total <= 0 {
		return Order{}, fmt.Errorf("new order: total %s: nothing to pay; %w", total, ErrEmptyBasket)
	}
	return Order{Number: number, Status: OrderOpen, Lines: append([]Line(nil), lines...), Total: total,
		Cashier: cashier, Terminal: terminal, CreatedAt: now, UpdatedAt: now}, nil
}
