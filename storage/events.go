package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// appendEvents writes evs at the end of an order's log. It fills in each
// event's OrderNumber and Seq in evs itself, so the caller can see them.
func appendEvents(tx *bolt.Tx, number string, evs []pos.Event) error {
	if len(evs) == 0 {
		return nil
	}
	b := tx.Bucket(bucketEventLogs)
	key := []byte(number)
	old := b.Get(key)
	var first uint64
	if old == nil {
		first = lastSeqV1(tx, number) + 1
	}
	v, err := appendLog(old, number, first, evs)
	if err != nil {
		return err
	}
	if err := b.Put(key, v); err != nil {
		return fmt.Errorf("write events of order %s: %w", number, err)
	}
	return nil
}

// lastSeqV1 is the Seq of an order's newest event in the schema-1 events
// bucket, 0 if it has none there: the last key before prefix+1 (0x00 →
// 0x01), if it has the prefix.
func lastSeqV1(tx *bolt.Tx, number string) uint64 {
	b := tx.Bucket(bucketEventsV1)
	if b == nil {
		return 0
	}
	prefix := eventPrefixV1(number)
	after := append([]byte(number), 1)
	c := b.Cursor()
	k, _ := c.Seek(after)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if !hasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return 0
	}
	return binary.BigEndian.Uint64(k[len(prefix):])
}

// eventPrefixV1 is the prefix of every schema-1 events key of one order.
func eventPrefixV1(number string) []byte {
	k := make([]byte, 0, len(number)+1)
	return append(append(k, number...), 0)
}

// Events returns an order's event log, oldest first. pos.ErrNotFound if
// the order does not exist.
func (db *DB) Events(ctx context.Context, number string) ([]pos.Event, error) {
	evs := []pos.Event{}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketOrders).Get([]byte(number)) == nil {
			return fmt.Errorf("find order %s: %w", number, pos.ErrNotFound)
		}
		var err error
		if evs, err = eventsV1(tx, number, evs); err != nil {
			return err
		}
		logs := tx.Bucket(bucketEventLogs)
		if logs == nil { // a schema-1 book opened read-only
			return nil
		}
		v := logs.Get([]byte(number))
		if v == nil {
			return nil
		}
		more, err := newDecoder(db.loc, false).log(number, v)
		if err != nil {
			return damaged("has a damaged event log of order %s (%v)", number, err)
		}
		evs = append(evs, more...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}

// eventsV1 appends an order's events from the schema-1 bucket, if any.
func eventsV1(tx *bolt.Tx, number string, evs []pos.Event) ([]pos.Event, error) {
	b := tx.Bucket(bucketEventsV1)
	if b == nil {
		return evs, nil
	}
	prefix := eventPrefixV1(number)
	c := b.Cursor()
	for k, v := c.Seek(prefix); hasPrefix(k, prefix); k, v = c.Next() {
		var ev pos.Event
		if err := json.Unmarshal(v, &ev); err != nil {
			return nil, damaged("has a damaged event %x of order %s (%v)", k[len(prefix):], number, err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}
