package storage

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// Daily numbers (pos.Order.DailyNo): 1, 2, 3… per shop day, the short
// number staff say aloud. CreateOrder gives each new order the next
// number of the day it is filed under, in the transaction that stores
// it, from a counter per day in daily_numbers. A day without a counter
// (its book was filed again under another zone, or the counter bucket is
// new) starts from the highest number its orders already carry.

// assignDailyNo gives o the next daily number of the day whose
// orders_by_day key is dayKey (whatever number o came with), and counts it.
func assignDailyNo(tx *bolt.Tx, o *pos.Order, dayKey string) error {
	day := []byte(dayKey[:len(dayLayout)])
	last, err := lastDailyNo(tx, day)
	if err != nil {
		return err
	}
	o.DailyNo = int(last) + 1
	if err := tx.Bucket(bucketDailyNumbers).Put(day, binary.AppendUvarint(nil, last+1)); err != nil {
		return fmt.Errorf("count daily number of %s: %w", day, err)
	}
	return nil
}

// lastDailyNo is the last daily number given on day: its counter, or the
// highest number the day's orders carry when it has none.
func lastDailyNo(tx *bolt.Tx, day []byte) (uint64, error) {
	if v := tx.Bucket(bucketDailyNumbers).Get(day); v != nil {
		n, k := binary.Uvarint(v)
		if k != len(v) {
			return 0, damaged("has a damaged daily number for %s", day)
		}
		return n, nil
	}
	var highest uint64
	dec := newDecoder(time.UTC, false) // only DailyNo is read: any zone will do
	err := walkDay(tx, day, func(number, value []byte) error {
		var o pos.Order
		if err := dec.order(&o, value); err != nil {
			return damaged("has a damaged order %s (%v)", number, err)
		}
		highest = max(highest, uint64(max(o.DailyNo, 0)))
		return nil
	})
	return highest, err
}

// forgetDailyNumbers drops every day's counter: the days were filed
// again under another zone, so each counts on from its orders' numbers.
func forgetDailyNumbers(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bucketDailyNumbers); err != nil {
		return fmt.Errorf("forget daily numbers: %w", err)
	}
	if _, err := tx.CreateBucket(bucketDailyNumbers); err != nil {
		return fmt.Errorf("forget daily numbers: %w", err)
	}
	return nil
}

// numberOrders is the schema-3 migration: it gives every order of an
// older book its daily number, per day of the index, by order number
// (creation order), and records each day's counter. It runs after the
// orders are filed under the shop's days.
func numberOrders(tx *bolt.Tx, loc *time.Location) error {
	orders, counters := tx.Bucket(bucketOrders), tx.Bucket(bucketDailyNumbers)
	dec := newDecoder(loc, false)
	var day []byte
	n := 0
	c := tx.Bucket(bucketOrdersByDay).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) <= len(dayLayout) {
			return damaged("has a damaged index (day key %q)", k)
		}
		if day == nil || string(k[:len(dayLayout)]) != string(day) {
			day, n = slices.Clone(k[:len(dayLayout)]), 0
		}
		number := k[len(dayLayout):]
		v := orders.Get(number)
		if v == nil {
			return damaged("has a damaged index (order %s is missing)", number)
		}
		var o pos.Order
		if err := dec.order(&o, v); err != nil {
			return damaged("has a damaged order %s (%v)", number, err)
		}
		n++
		o.DailyNo = n
		if err := putOrder(tx, &o); err != nil {
			return fmt.Errorf("number order %s: %w", number, err)
		}
		if err := counters.Put(day, binary.AppendUvarint(nil, uint64(n))); err != nil {
			return fmt.Errorf("count daily numbers of %s: %w", day, err)
		}
	}
	return nil
}

// numberLegacy gives the orders of a read-only view of a book older than
// schema 3 (not migrated: nobody may write to it) the numbers the
// migration will give them: per shop day, by order number. orders must
// hold whole days.
func numberLegacy(orders []pos.Order, loc *time.Location) {
	idx := make([]int, len(orders))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(orders[a].Number, orders[b].Number) })
	next := map[string]int{}
	for _, i := range idx {
		if orders[i].DailyNo > 0 {
			continue
		}
		day := orders[i].CreatedAt.In(loc).Format(dayLayout)
		next[day]++
		orders[i].DailyNo = next[day]
	}
}
