package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// ctxEvery is how many records a long scan reads between checks of its
// context.
const ctxEvery = 1024

// OrdersByDay lists the orders created on one local calendar day, oldest
// first: the day, in the store's Location, that contains the instant day.
// For a day typed as text use ParseDay (or time.ParseInLocation with
// Location()).
func (db *DB) OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error) {
	prefix := dayPrefix(day, db.loc)
	var out []pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var found []stored
		// Both buckets sort by number, so the next order is nearly always
		// the orders cursor's next key: step, and Seek only on a miss.
		oc := tx.Bucket(bucketOrders).Cursor()
		var ok []byte
		c := tx.Bucket(bucketOrdersByDay).Cursor()
		for k, _ := c.Seek(prefix); hasPrefix(k, prefix); k, _ = c.Next() {
			number := k[len(prefix):]
			var v []byte
			if ok != nil {
				ok, v = oc.Next()
			}
			if ok == nil || !bytes.Equal(ok, number) {
				ok, v = oc.Seek(number)
			}
			if ok == nil || !bytes.Equal(ok, number) {
				return fmt.Errorf("find order %s of day %s: %w", number, prefix, pos.ErrNotFound)
			}
			found = append(found, stored{number, v})
		}
		var err error
		out, err = db.decodeAll(ctx, found)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list orders of %s: %w", prefix, err)
	}
	return out, nil
}

// ParseDay reads a YYYY-MM-DD day (as `qrtill orders --day` takes it) as
// midnight in the store's Location, ready for OrdersByDay.
func (db *DB) ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(dayLayout, s, db.loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse day %q: want YYYY-MM-DD: %w", s, err)
	}
	return t, nil
}

// AllOrders lists every order, oldest first (in order number order).
func (db *DB) AllOrders(ctx context.Context) ([]pos.Order, error) {
	var out []pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var found []stored
		c := tx.Bucket(bucketOrders).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			found = append(found, stored{k, v})
		}
		var err error
		out, err = db.decodeAll(ctx, found)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list all orders: %w", err)
	}
	return out, nil
}

// OpenAttempts lists, by order number, each order that has at least one
// open attempt. It reads the open_attempts index, never every order.
func (db *DB) OpenAttempts(ctx context.Context) ([]pos.Order, error) {
	var out []pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var numbers []string
		c := tx.Bucket(bucketOpenAttempts).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			numbers = append(numbers, string(v))
		}
		slices.Sort(numbers)
		out = make([]pos.Order, 0, len(numbers))
		for _, number := range slices.Compact(numbers) {
			o, err := db.getOrder(tx, number)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list open attempts: %w", err)
	}
	return out, nil
}

// PendingRefunds lists, by order number, each order that has at least one
// refund in state pending. It reads the pending_refunds index, never every
// order.
func (db *DB) PendingRefunds(ctx context.Context) ([]pos.Order, error) {
	out := []pos.Order{}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPendingRefunds).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			o, err := db.getOrder(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list pending refunds: %w", err)
	}
	return out, nil
}

// stored is an order's key and value, pointing into bbolt's memory: only
// valid inside the transaction that read it.
type stored struct{ number, value []byte }

// decodeAll decodes found into a new slice (never nil, so an empty list
// encodes as []), checking ctx as it goes. Call it inside the transaction.
func (db *DB) decodeAll(ctx context.Context, found []stored) ([]pos.Order, error) {
	out := make([]pos.Order, len(found))
	for i, f := range found {
		if i%ctxEvery == ctxEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := decodeOrderInto(&out[i], f.value, db.loc); err != nil {
			return nil, fmt.Errorf("decode order %s: %w", f.number, err)
		}
	}
	return out, nil
}
