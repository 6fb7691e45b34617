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
	b := tx.Bucket(bucketEvents)
	seq := lastSeq(b, number)
	for i := range evs {
		seq++
		evs[i].OrderNumber, evs[i].Seq = number, seq
		v, err := json.Marshal(evs[i])
		if err != nil {
			return fmt.Errorf("encode event %d of order %s: %w", seq, number, err)
		}
		if err := b.Put(eventKey(number, seq), v); err != nil {
			return fmt.Errorf("write event %d of order %s: %w", seq, number, err)
		}
	}
	return nil
}

// lastSeq is the Seq of an order's newest event, 0 if it has none: the
// last key before prefix+1 (0x00 → 0x01), if it has the prefix.
func lastSeq(b *bolt.Bucket, number string) uint64 {
	prefix := eventPrefix(number)
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

// Events returns an order's event log, oldest first. pos.ErrNotFound if
// the order does not exist.
func (db *DB) Events(ctx context.Context, number string) ([]pos.Event, error) {
	evs := []pos.Event{}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketOrders).Get([]byte(number)) == nil {
			return fmt.Errorf("find order %s: %w", number, pos.ErrNotFound)
		}
		prefix := eventPrefix(number)
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(prefix); hasPrefix(k, prefix); k, v = c.Next() {
			var ev pos.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode event %x of order %s: %w", k[len(prefix):], number, err)
			}
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}
