package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// getOrder reads and decodes one order. Decoding copies everything out of
// bbolt's memory, so the result outlives the transaction.
func (db *DB) getOrder(tx *bolt.Tx, number string) (pos.Order, error) {
	v := tx.Bucket(bucketOrders).Get([]byte(number))
	if v == nil {
		return pos.Order{}, fmt.Errorf("find order %s: %w", number, pos.ErrNotFound)
	}
	var o pos.Order
	if err := newDecoder(db.loc, false).order(&o, v); err != nil {
		return pos.Order{}, damaged("has a damaged order %s (%v)", number, err)
	}
	return o, nil
}

// putOrder encodes and writes one order.
func putOrder(tx *bolt.Tx, o *pos.Order) error {
	if err := tx.Bucket(bucketOrders).Put([]byte(o.Number), encodeOrder(o)); err != nil {
		return fmt.Errorf("write order %s: %w", o.Number, err)
	}
	return nil
}
