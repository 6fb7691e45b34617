package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// dailyNumbers maps each order of a listing to its daily number.
func dailyNumbers(orders []pos.Order) map[string]int {
	out := map[string]int{}
	for _, o := range orders {
		out[o.Number] = o.DailyNo
	}
	return out
}

func createAt(t *testing.T, db *DB, number string, created time.Time) pos.Order {
	t.Helper()
	if err := db.CreateOrder(context.Background(), newOrder(number, created)); err != nil {
		t.Fatal(err)
	}
	o, err := db.Order(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Daily numbers start at 1 each shop day, in the shop's zone: 23:59:59
// and 00:00:00 Shanghai time are two days, whatever zone the time came in.
func TestDailyNumbersPerShopDay(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	utc := func(day, hour, min, sec int) time.Time { return at(day, hour, min, sec).UTC() }
	for _, c := range []struct {
		number  string
		created time.Time
		want    int
	}{
		{"N01", at(1, 8, 0, 0), 1},
		{"N02", utc(1, 12, 0, 0), 2},
		{"N03", at(1, 23, 59, 59), 3},
		{"N04", utc(2, 0, 0, 0), 1}, // 16:00 UTC on 1 March: already 2 March in Shanghai
		{"N05", at(2, 0, 0, 1), 2},
		{"N06", at(1, 23, 0, 0), 4}, // a late write for the day before counts on there
		{"N07", at(3, 9, 0, 0), 1},
	} {
		if o := createAt(t, db, c.number, c.created); o.DailyNo != c.want {
			t.Errorf("%s at %s: daily number %d, want %d", c.number, c.created, o.DailyNo, c.want)
		}
	}
	// Numbers survive a reopen and go on from there.
	db = reopen(t, db)
	if o := createAt(t, db, "N08", at(2, 18, 0, 0)); o.DailyNo != 3 {
		t.Errorf("after a reopen: daily number %d, want 3", o.DailyNo)
	}
	d, _ := db.ParseDay("2025-03-01")
	day1, err := db.OrdersByDay(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "1 March", dailyNumbers(day1), map[string]int{"N01": 1, "N02": 2, "N03": 3, "N06": 4})
}

// Tills writing at once never share a number.
func TestDailyNumbersConcurrent(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := db.CreateOrder(context.Background(), newOrder(fmt.Sprintf("N%03d", i), at(1, 10, 0, i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	all, err := db.AllOrders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, o := range all {
		got = append(got, o.DailyNo)
	}
	slices.Sort(got)
	for i := range n {
		if got[i] != i+1 {
			t.Fatalf("daily numbers %v, want 1 to %d once each", got, n)
		}
	}
}

// downgradeToV2 makes db's file what schema 2 wrote: order values in
// formatOrderV2, no daily_numbers bucket, version 2. It closes db.
func downgradeToV2(t *testing.T, db *DB) string {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrders)
		var values [][2][]byte
		err := b.ForEach(func(k, v []byte) error {
			var o pos.Order
			if err := decodeOrderInto(&o, v, shanghai); err != nil {
				return err
			}
			values = append(values, [2][]byte{slices.Clone(k), encodeOrderV2(&o)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, kv := range values {
			if err := b.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bucketDailyNumbers); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// An order book of schema 2 is numbered when a till opens it: per shop
// day, by order number (creation order); new orders count on. A reader
// that may not migrate it sees the same numbers.
func TestDailyNumbersMigration(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	for _, c := range []struct {
		number  string
		created time.Time
	}{{"N1", at(1, 9, 0, 0)}, {"N2", at(1, 23, 59, 0)}, {"N3", at(2, 0, 1, 0)}, {"N4", at(2, 7, 0, 0)}, {"N5", at(1, 23, 59, 30)}} {
		createAt(t, db, c.number, c.created)
	}
	path := downgradeToV2(t, db)
	want := map[string]int{"N1": 1, "N2": 2, "N5": 3, "N3": 1, "N4": 2}

	ro, err := Open(path, Options{ReadOnly: true, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	all, err := ro.AllOrders(context.Background())
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "read-only view of the old book", dailyNumbers(all), want)

	db = openAt(t, path, Options{NoSync: true})
	if v := version(t, db); v != schemaVersion || schemaVersion < 3 {
		t.Fatalf("version %d after migration, want %d (≥ 3)", v, schemaVersion)
	}
	all, err = db.AllOrders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "migrated book", dailyNumbers(all), want)
	if o := createAt(t, db, "N6", at(1, 23, 59, 50)); o.DailyNo != 4 {
		t.Errorf("first new order of 1 March after the migration: %d, want 4", o.DailyNo)
	}
	if o := createAt(t, db, "N7", at(3, 9, 0, 0)); o.DailyNo != 1 {
		t.Errorf("first order of a new day: %d, want 1", o.DailyNo)
	}
}

// A schema-1 book (days filed in the writer's own zone) is numbered by
// the shop's days once it is filed again.
func TestDailyNumbersMigrationFromV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	writeV1Book(t, path, time.UTC,
		v1Order{order: newOrder("20250301-0001", at(1, 9, 0, 0))},
		v1Order{order: newOrder("20250302-0001", late)}, // 00:34 on 2 March in Shanghai, 1 March in UTC
		v1Order{order: newOrder("20250302-0002", at(2, 10, 0, 0))})
	db := openAt(t, path, Options{NoSync: true})
	all, err := db.AllOrders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "migrated schema-1 book", dailyNumbers(all), map[string]int{"20250301-0001": 1, "20250302-0001": 1, "20250302-0002": 2})
}

// A book opened in another zone is filed again: each day counts on from
// the highest number its orders carry.
func TestDailyNumbersAfterAZoneChange(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	createAt(t, db, "N1", at(1, 7, 0, 0)) // 23:00 UTC on 28 February
	createAt(t, db, "N2", at(1, 9, 0, 0)) // 01:00 UTC on 1 March
	path := db.Path()
	db.Close()
	db = openAt(t, path, Options{Location: time.UTC, NoSync: true})
	if o := createAt(t, db, "N3", at(1, 10, 0, 0)); o.DailyNo != 3 {
		t.Errorf("after re-filing under UTC: daily number %d, want 3 (past N2's 2)", o.DailyNo)
	}
}
