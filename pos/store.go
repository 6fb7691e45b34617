package pos

import (
	"context"
	"errors"
	"time"
)

// Store is the order book as the domain sees it. storage implements it on
// bbolt. Every method that changes anything is one transaction: the order
// and its events land together or not at all.
type Store interface {
	// CreateOrder stores a new order with its first events. ErrDuplicate
	// if the number exists.
	CreateOrder(ctx context.Context, o Order, events ...Event) error
	// UpdateOrder runs fn on the stored order inside one transaction and
	// stores the result together with the events fn returns. If fn returns
	// an error nothing is written and that error is returned. The attempt
	// index (out_trade_no → order, open attempts) follows o.Attempts.
	UpdateOrder(ctx context.Context, number string, fn func(o *Order) ([]Event, error)) (Order, error)
	// Order returns one order. ErrNotFound if absent.
	Order(ctx context.Context, number string) (Order, error)
	// OrderByOutTradeNo finds the order that owns an attempt.
	OrderByOutTradeNo(ctx context.Context, outTradeNo string) (Order, error)
	// OrdersByDay lists the orders created on a local calendar day, oldest first.
	OrdersByDay(ctx context.Context, day time.Time) ([]Order, error)
	// AllOrders lists every order, oldest first.
	AllOrders(ctx context.Context) ([]Order, error)
	// OpenAttempts lists the orders that have at least one open attempt
	// (Attempt.Open), without scanning every order.
	// UpdateOrder and CreateOrder keep that index and the pending-refund
	// index in step with the order they store.
	OpenAttempts(ctx context.Context) ([]Order, error)
	// PendingRefunds lists the orders that have at least one refund in
	// state pending, without scanning every order.
	PendingRefunds(ctx context.Context) ([]Order, error)
	// Events returns an order's event log, oldest first.
	Events(ctx context.Context, number string) ([]Event, error)
	// RecordNotification remembers a provider notification id in the inbox.
	// It reports false if the id was seen before (a duplicate).
	RecordNotification(ctx context.Context, channel, id string, at time.Time) (first bool, err error)
	// Close releases the store.
	Close() error
}

// Store errors. storage translates its own errors to these at its boundary.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
)
