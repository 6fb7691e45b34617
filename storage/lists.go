package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// ctxEvery is how many records a long scan reads between checks of its
// context.
const ctxEvery = 1024

// OrdersByDay lists the orders created on one calendar day in the shop's
// zone, oldest first: the day, in Location(), that contains the instant
// day. For a day typed as text use ParseDay.
func (db *DB) OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error) {
	prefix := dayPrefix(day, db.loc)
	var out []pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if db.legacyDays {
			return db.legacyDay(ctx, tx, day, &out)
		}
		// Counted first, then decoded straight from the walk: no list of
		// values to grow.
		out = make([]pos.Order, countDay(tx, prefix))
		dec, i := newDecoder(db.loc, true), 0
		return walkDay(tx, prefix, func(number, value []byte) error {
			if i == len(out) {
				return damaged("has a damaged index (day %s changed while read)", prefix)
			}
			if err := decodeOne(ctx, dec, &out[i], i, number, value); err != nil {
				return err
			}
			i++
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list orders of %s: %w", prefix, err)
	}
	if db.legacyNumbers {
		numberLegacy(out, db.loc)
	}
	return out, nil
}

// scanDay appends to found the orders filed under one day prefix.
func scanDay(tx *bolt.Tx, prefix []byte, found []stored) ([]stored, error) {
	err := walkDay(tx, prefix, func(number, value []byte) error {
		found = append(found, stored{number, value})
		return nil
	})
	return found, err
}

// walkDay calls fn with the number and value of each order filed under
// one day prefix, in number order.
func walkDay(tx *bolt.Tx, prefix []byte, fn func(number, value []byte) error) error {
	// Both buckets sort by number, so the next order is nearly always the
	// orders cursor's next key: step, and Seek only on a miss.
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
			return damaged("has a damaged index (order %s of day %s is missing)", number, prefix)
		}
		if err := fn(ok, v); err != nil {
			return err
		}
	}
	return nil
}

// countDay counts the orders filed under one day prefix (a walk of the
// small day index: cheaper than growing the list as it is read).
func countDay(tx *bolt.Tx, prefix []byte) int {
	n := 0
	c := tx.Bucket(bucketOrdersByDay).Cursor()
	for k, _ := c.Seek(prefix); hasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// legacyDay lists a day of a schema-1 book opened read-only: its index
// filed each order under the writer's own day, at most a day and a half
// from the shop's, so it reads the days around and keeps the orders
// whose time falls on the shop's day.
func (db *DB) legacyDay(ctx context.Context, tx *bolt.Tx, day time.Time, out *[]pos.Order) error {
	d := day.In(db.loc)
	var found []stored
	for i := -2; i <= 2; i++ {
		var err error
		if found, err = scanDay(tx, dayPrefix(d.AddDate(0, 0, i), db.loc), found); err != nil {
			return err
		}
	}
	all, err := db.decodeAll(ctx, found)
	if err != nil {
		return err
	}
	want := d.Format(dayLayout)
	*out = slices.DeleteFunc(all, func(o pos.Order) bool { return o.CreatedAt.In(db.loc).Format(dayLayout) != want })
	slices.SortFunc(*out, func(a, b pos.Order) int { return strings.Compare(a.Number, b.Number) })
	return nil
}

// ParseDay reads a YYYY-MM-DD day (as `qrtill orders --day` takes it) as
// midnight in the shop's zone, ready for OrdersByDay.
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
	if db.legacyNumbers {
		numberLegacy(out, db.loc)
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
			numbers = append(numbers, attemptOwner(k, v))
		}
		slices.Sort(numbers)
		out = make([]pos.Order, 0, len(numbers))
		for _, number := range slices.Compact(numbers) {
			o, err := db.indexed(tx, number)
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
			o, err := db.indexed(tx, string(k))
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

// indexed reads an order an index names: one that is missing means the
// book is damaged.
func (db *DB) indexed(tx *bolt.Tx, number string) (pos.Order, error) {
	o, err := db.getOrder(tx, number)
	if errors.Is(err, pos.ErrNotFound) {
		return o, damaged("has a damaged index (order %s is missing)", number)
	}
	return o, err
}

// stored is an order's key and value, pointing into bbolt's memory: only
// valid inside the transaction that read it.
type stored struct{ number, value []byte }

// decodeAll decodes found into a new slice (never nil, so an empty list
// encodes as []) with a bulk decoder, checking ctx as it goes. Call it
// inside the transaction.
func (db *DB) decodeAll(ctx context.Context, found []stored) ([]pos.Order, error) {
	dec := newDecoder(db.loc, true)
	out := make([]pos.Order, len(found))
	for i, f := range found {
		if err := decodeOne(ctx, dec, &out[i], i, f.number, f.value); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeOne decodes the i-th order of a list, checking ctx now and then.
func decodeOne(ctx context.Context, dec *decoder, o *pos.Order, i int, number, value []byte) error {
	if i%ctxEvery == ctxEvery-1 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := dec.order(o, value); err != nil {
		return damaged("has a damaged order %s (%v)", number, err)
	}
	return nil
}
