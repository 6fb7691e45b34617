package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
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
// 30,000 (store), and reads the same keys with bbolt alone, two ways, in
// the same run: raw-scan walks the day index with the orders cursor
// stepped along (as OrdersByDay does) and copies each value out of the
// transaction; raw-get looks each order up with Bucket.Get and copies it.
// Neither decodes. Each runs in its own loop, so each pays for its own
// garbage; the last sub-benchmark reports the listing's time over each
// raw read's (x-raw-scan, x-raw-get; the target is ≤ 1.2). Run it with
// -count=1: the ratio is of the run before it.
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
	perOp := map[string]float64{}
	timed := func(name string, read func() int) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n := read(); n != perDay {
					b.Fatalf("%s read %d orders, want %d", name, n, perDay)
				}
			}
			perOp[name] = float64(b.Elapsed()) / float64(b.N)
		})
	}
	timed("store", func() int {
		got, err := db.OrdersByDay(ctx, day)
		if err != nil {
			b.Fatal(err)
		}
		return len(got)
	})
	timed("raw-scan", func() int { return len(rawScan(b, db, day)) })
	timed("raw-get", func() int { return len(rawGet(b, db, day)) })
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(perOp["store"]/perOp["raw-scan"], "x-raw-scan")
		b.ReportMetric(perOp["store"]/perOp["raw-get"], "x-raw-get")
	})
}

// rawScan reads the values of one day's orders with bbolt alone, the
// way OrdersByDay walks them.
func rawScan(tb testing.TB, db *DB, day time.Time) [][]byte {
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

// rawGet reads the values of one day's orders with one Get each.
func rawGet(tb testing.TB, db *DB, day time.Time) [][]byte {
	var out [][]byte
	prefix := dayPrefix(day, db.loc)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		orders := tx.Bucket(bucketOrders)
		c := tx.Bucket(bucketOrdersByDay).Cursor()
		for k, _ := c.Seek(prefix); hasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, bytes.Clone(orders.Get(k[len(prefix):])))
		}
		return nil
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

// BenchmarkFsync is the disk's reference for BenchmarkCreateOrder: one
// 4 KiB page written and synced per op (a commit syncs twice: its pages,
// then its meta page).
func BenchmarkFsync(b *testing.B) {
	f, err := os.CreateTemp(b.TempDir(), "fsync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for b.Loop() {
		if _, err := f.WriteAt(page, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}
