package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// bulkCreate stores orders (each with a "created" event) perTx to a
// transaction: benchmark setup only, far faster than one CreateOrder each.
func bulkCreate(tb testing.TB, db *DB, orders []pos.Order, perTx int) {
	tb.Helper()
	for len(orders) > 0 {
		n := min(perTx, len(orders))
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i := range orders[:n] {
				o := &orders[i]
				ix, err := indexOf(o, db.loc)
				if err != nil {
					return err
				}
				if err := createOrder(tx, o, ix, []pos.Event{event("created")}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		orders = orders[n:]
	}
}

// paidOrder is an order paid by one attempt, as most of a real book is.
func paidOrder(number string, created time.Time) pos.Order {
	a := newAttempt(number+"A1", pos.AttemptPaid)
	a.PaidAmount, a.PaidAt, a.Buyer = 950, created.Add(40*time.Second), "138****0000"
	o := newOrder(number, created, a)
	o.Status, o.Channel = pos.OrderPaid, a.Channel
	return o
}

// reportPercentiles adds the median and 99th percentile of ds to b.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkCreateOrder stores one order with its event per op, with fsync.
func BenchmarkCreateOrder(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	created := at(1, 9, 0, 0)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		o := newOrder(fmt.Sprintf("20250301-%06d", i), created)
		i++
		start := time.Now()
		if err := db.CreateOrder(ctx, o, event("created")); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	reportPercentiles(b, ds)
}

// BenchmarkOrdersByDay lists one day of 10,000 orders in a book of
// 30,000 and, in the same loop, reads the same keys with bbolt alone: the
// day index walked with the orders cursor stepped along, each value
// copied out of the transaction (what any reader must do), no decoding.
// It reports both times and their ratio (x-raw; the target is ≤ 1.2).
func BenchmarkOrdersByDay(b *testing.B) {
	const perDay = 10_000
	db := openTest(b, Options{NoSync: true})
	var orders []pos.Order
	for day := 1; day <= 3; day++ {
		for i := range perDay {
			created := at(day, 8, 0, 0).Add(time.Duration(i) * 4 * time.Second)
			orders = append(orders, paidOrder(fmt.Sprintf("202503%02d-%06d", day, i), created))
		}
	}
	bulkCreate(b, db, orders, 5_000)
	ctx := context.Background()
	day := at(2, 12, 0, 0)
	var store, raw time.Duration
	for b.Loop() {
		start := time.Now()
		got, err := db.OrdersByDay(ctx, day)
		store += time.Since(start)
		if err != nil || len(got) != perDay {
			b.Fatalf("OrdersByDay = %d orders, %v; want %d", len(got), err, perDay)
		}
		start = time.Now()
		values := rawDay(b, db, day)
		raw += time.Since(start)
		if len(values) != perDay {
			b.Fatalf("raw read = %d values, want %d", len(values), perDay)
		}
	}
	b.ReportMetric(float64(store.Nanoseconds())/float64(b.N), "store-ns/op")
	b.ReportMetric(float64(raw.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(store)/float64(raw), "x-raw")
}

// rawDay reads the values of one day's orders with bbolt alone.
func rawDay(tb testing.TB, db *DB, day time.Time) [][]byte {
	var out [][]byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		found, err := scanDay(tx, dayPrefix(day, db.loc), nil)
		for _, f := range found {
			out = append(out, bytes.Clone(f.value))
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkOpenAttempts finds the 20 orders awaiting payment among 100,000.
func BenchmarkOpenAttempts(b *testing.B) {
	const total, open = 100_000, 20
	db := openTest(b, Options{NoSync: true})
	orders := make([]pos.Order, 0, total)
	for i := range total {
		created := at(1, 0, 0, 0).Add(time.Duration(i) * 20 * time.Second)
		o := paidOrder(fmt.Sprintf("%s-%06d", created.Format("20060102"), i), created)
		if i%(total/open) == 0 {
			o.Status, o.Attempts[0].Status = pos.OrderAwaitingPayment, pos.AttemptWaiting
		}
		orders = append(orders, o)
	}
	bulkCreate(b, db, orders, 10_000)
	ctx := context.Background()
	for b.Loop() {
		got, err := db.OpenAttempts(ctx)
		if err != nil || len(got) != open {
			b.Fatalf("OpenAttempts = %d orders, %v; want %d", len(got), err, open)
		}
	}
}
