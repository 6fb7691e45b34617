package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// CreateOrder stores a new order, its day and attempt index entries and
// its first events in one transaction. It refuses an existing number, or
// an out_trade_no another order owns, with pos.ErrDuplicate. The store
// fills in each event's OrderNumber and Seq in events, and gives the
// order the next daily number of its shop day, whatever DailyNo it came
// with (read the order back for it).
func (db *DB) CreateOrder(ctx context.Context, o pos.Order, events ...pos.Event) error {
	if err := checkNumber(o.Number); err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	after, err := indexOf(&o, db.loc)
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	err = db.update(ctx, func(tx *bolt.Tx) error {
		return createOrder(tx, &o, after, events)
	})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	return nil
}

// createOrder is CreateOrder inside a transaction; after is indexOf(o).
func createOrder(tx *bolt.Tx, o *pos.Order, after indexed, events []pos.Event) error {
	if tx.Bucket(bucketOrders).Get([]byte(o.Number)) != nil {
		return fmt.Errorf("order %s: %w", o.Number, pos.ErrDuplicate)
	}
	if err := assignDailyNo(tx, o, after.dayKey); err != nil {
		return err
	}
	if err := putOrder(tx, o); err != nil {
		return err
	}
	if err := reindex(tx, o.Number, indexed{}, after); err != nil {
		return err
	}
	return appendEvents(tx, o.Number, events)
}

// UpdateOrder loads an order, lets fn change it and stores the result with
// the events fn returns, all in one transaction. The attempt indexes follow
// o.Attempts, and the day index follows o.CreatedAt. If fn returns an error
// nothing is written and that error is returned as is; fn must not change
// o.Number. fn runs exactly once, while the store is locked for writing, so
// it must be quick and do no I/O. The store fills in each returned event's
// OrderNumber and Seq in fn's slice.
func (db *DB) UpdateOrder(ctx context.Context, number string, fn func(o *pos.Order) ([]pos.Event, error)) (pos.Order, error) {
	var fnErr error
	var out pos.Order
	err := db.update(ctx, func(tx *bolt.Tx) error {
		o, err := db.getOrder(tx, number)
		if err != nil {
			return err
		}
		before, err := indexOf(&o, db.loc)
		if err != nil {
			return err
		}
		evs, err := fn(&o)
		if err != nil {
			fnErr = err
			return err
		}
		if o.Number != number {
			return fmt.Errorf("check order %s: fn changed its number to %q", number, o.Number)
		}
		after, err := indexOf(&o, db.loc)
		if err != nil {
			return err
		}
		if err := putOrder(tx, &o); err != nil {
			return err
		}
		if err := reindex(tx, number, before, after); err != nil {
			return err
		}
		if err := appendEvents(tx, number, evs); err != nil {
			return err
		}
		out = o
		return nil
	})
	switch {
	case fnErr != nil:
		return pos.Order{}, fnErr
	case err != nil:
		return pos.Order{}, fmt.Errorf("update order: %w", err)
	}
	return out, nil
}

// Order returns one order. pos.ErrNotFound if absent.
func (db *DB) Order(ctx context.Context, number string) (pos.Order, error) {
	var o pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		o, err = db.getOrder(tx, number)
		return err
	})
	if err != nil {
		return pos.Order{}, fmt.Errorf("read order: %w", err)
	}
	return o, nil
}

// OrderByOutTradeNo returns the order that owns the attempt with this
// out_trade_no, open or not. pos.ErrNotFound if no order does.
func (db *DB) OrderByOutTradeNo(ctx context.Context, outTradeNo string) (pos.Order, error) {
	var o pos.Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		key := []byte(outTradeNo)
		v := tx.Bucket(bucketAttempts).Get(key)
		if v == nil {
			return fmt.Errorf("find attempt %s: %w", outTradeNo, pos.ErrNotFound)
		}
		var err error
		o, err = db.indexed(tx, attemptOwner(key, v))
		return err
	})
	if err != nil {
		return pos.Order{}, fmt.Errorf("read order by out_trade_no: %w", err)
	}
	return o, nil
}
