package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"qrtill/payments"
	"qrtill/pos"
)

// shanghai is the fixed non-UTC zone of the day-boundary tests.
var shanghai = DefaultLocation()

// openTest opens a fresh order book in t.TempDir(), in Shanghai time
// unless opts says otherwise, and checks it on cleanup.
func openTest(t testing.TB, opts Options) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "data", "qrtill.db"), opts)
}

// openAt opens the order book at path and registers the cleanup check.
func openAt(t testing.TB, path string, opts Options) *DB {
	t.Helper()
	if opts.Location == nil {
		opts.Location = shanghai
	}
	db, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() {
		checkDB(t, db)
		if err := db.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return db
}

// reopen closes db and opens its file again with the same options.
func reopen(t testing.TB, db *DB) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	return openAt(t, db.Path(), Options{Location: db.Location()})
}

// checkDB runs bbolt's consistency check and checks that every index
// agrees with the orders (a closed DB is skipped).
func checkDB(t testing.TB, db *DB) {
	t.Helper()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		checkIndexes(t, tx, db.loc)
		checkEvents(t, tx)
		return nil
	})
	if err != nil && !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		t.Errorf("check: %v", err)
	}
}

// checkIndexes rebuilds every index from the orders bucket and compares.
// Entries are key+"\x00"+value (attempt entries with their owner read
// back), so they sort as the keys do.
func checkIndexes(t testing.TB, tx *bolt.Tx, loc *time.Location) {
	t.Helper()
	want := map[string][]string{}
	err := tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		var o pos.Order
		err := decodeOrderInto(&o, v, loc)
		if err != nil {
			return err
		}
		if o.Number != string(k) {
			t.Errorf("order under key %q has number %q", k, o.Number)
		}
		ix, err := indexOf(&o, loc)
		if err != nil {
			return err
		}
		want["orders_by_day"] = append(want["orders_by_day"], ix.dayKey+"\x00")
		for otn, open := range ix.attempts {
			want["attempts"] = append(want["attempts"], otn+"\x00"+o.Number)
			if open {
				want["open_attempts"] = append(want["open_attempts"], otn+"\x00"+o.Number)
			}
		}
		if ix.pendingRefunds {
			want["pending_refunds"] = append(want["pending_refunds"], o.Number+"\x00")
		}
		return nil
	})
	if err != nil {
		t.Errorf("scan orders: %v", err)
		return
	}
	for _, name := range []string{"orders_by_day", "attempts", "open_attempts", "pending_refunds"} {
		var got []string
		_ = tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
			if name == "attempts" || name == "open_attempts" {
				v = []byte(attemptOwner(k, v))
			}
			got = append(got, string(k)+"\x00"+string(v))
			return nil
		})
		w := want[name]
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("index %s = %q, rebuilt from orders %q", name, got, w)
		}
	}
}

// checkEvents checks that every event log belongs to a stored order and
// that its events carry the order's number and count 1, 2, 3, … (after
// any schema-1 events of the order).
func checkEvents(t testing.TB, tx *bolt.Tx) {
	t.Helper()
	orders := tx.Bucket(bucketOrders)
	_ = tx.Bucket(bucketEventLogs).ForEach(func(k, v []byte) error {
		number := string(k)
		if orders.Get(k) == nil {
			t.Errorf("event log of a missing order %q", k)
		}
		evs, err := newDecoder(time.UTC, false).log(number, v)
		if err != nil {
			t.Errorf("event log %q: %v", k, err)
			return nil
		}
		first := lastSeqV1(tx, number) + 1
		for i, ev := range evs {
			if ev.OrderNumber != number || ev.Seq != first+uint64(i) {
				t.Errorf("order %s: event %d says order %q seq %d", number, i, ev.OrderNumber, ev.Seq)
			}
		}
		return nil
	})
}

// decodeOrderInto decodes a stored order value (any format) into o.
func decodeOrderInto(o *pos.Order, v []byte, loc *time.Location) error {
	return newDecoder(loc, false).order(o, v)
}

// at is a Shanghai wall-clock time on 2025-03-DAY.
func at(day, hour, min, sec int) time.Time {
	return time.Date(2025, 3, day, hour, min, sec, 0, shanghai)
}

// newOrder is a two-line order created at created.
func newOrder(number string, created time.Time, attempts ...pos.Attempt) pos.Order {
	for i := range attempts {
		attempts[i].OrderNumber = number
	}
	return pos.Order{
		Number: number,
		Status: pos.OrderOpen,
		Lines: []pos.Line{
			{SKU: "tea-01", Barcode: "6901234567892", NameZH: "绿茶", NameEN: "Green tea", Unit: "瓶", UnitPrice: 350, Quantity: 2, Total: 700},
			{SKU: "bun-02", NameZH: "肉包", NameEN: "Pork bun", UnitPrice: 250, Quantity: 1, Total: 250},
		},
		Total:     950,
		Cashier:   "li",
		Terminal:  "till-1",
		CreatedAt: created,
		UpdatedAt: created,
		Attempts:  attempts,
	}
}

// newAttempt is an attempt in status st.
func newAttempt(outTradeNo string, st pos.AttemptStatus) pos.Attempt {
	t := at(1, 12, 0, 0)
	return pos.Attempt{
		OutTradeNo: outTradeNo,
		Channel:    payments.Alipay,
		Status:     st,
		Amount:     950,
		QRContent:  "https://qr.alipay.com/bax0" + outTradeNo,
		CreatedAt:  t,
		ExpiresAt:  t.Add(5 * time.Minute),
		UpdatedAt:  t,
	}
}

// event is a cashier event of kind.
func event(kind pos.EventKind) pos.Event {
	return pos.Event{At: at(1, 12, 0, 0), Source: pos.SourceCashier, Kind: kind}
}

// sameJSON fails the test unless got and want encode to the same JSON,
// which is what the store keeps (time zones compare by instant and offset).
func sameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: encode: %v %v", what, err1, err2)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// numbers lists the order numbers of os.
func numbers(os []pos.Order) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.Number)
	}
	return out
}
