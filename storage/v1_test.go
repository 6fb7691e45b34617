package storage

import (
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// What schema 1 wrote, kept here to build old books for the migration
// and read-only tests: the code that wrote them (commit 3ad612a).

// encodeOrderV1 is schema 1's order value.
func encodeOrderV1(o *pos.Order) []byte {
	w := writer{b: []byte{formatOrderV1}}
	w.str(o.Number)
	w.str(string(o.Status))
	w.count(len(o.Lines), o.Lines == nil)
	for i := range o.Lines {
		encodeLine(&w, &o.Lines[i])
	}
	w.int(int64(o.Total))
	w.str(o.Cashier)
	w.str(o.Terminal)
	w.time(o.CreatedAt)
	w.time(o.UpdatedAt)
	w.str(string(o.Channel))
	w.str(o.PaidBy)
	w.count(len(o.Attempts), o.Attempts == nil)
	for _, a := range o.Attempts {
		w.str(a.OutTradeNo)
		w.str(a.OrderNumber)
		w.str(string(a.Channel))
		w.str(string(a.Status))
		w.int(int64(a.Amount))
		w.str(a.QRContent)
		w.str(a.ProviderTradeNo)
		w.str(a.Buyer)
		w.int(int64(a.PaidAmount))
		w.time(a.PaidAt)
		w.time(a.CreatedAt)
		w.time(a.ExpiresAt)
		w.time(a.UpdatedAt)
		w.str(a.LastCode)
		w.str(string(a.Intent))
	}
	w.count(len(o.Refunds), o.Refunds == nil)
	for _, r := range o.Refunds {
		w.str(r.RefundNo)
		w.str(r.OutTradeNo)
		w.int(int64(r.Amount))
		w.str(r.Reason)
		w.str(string(r.Status))
		w.time(r.CreatedAt)
		w.time(r.UpdatedAt)
	}
	return w.b
}

// v1Order is an order of a schema-1 book with its events.
type v1Order struct {
	order  pos.Order
	events []pos.Event
}

// writeV1Book writes a schema-1 book at path as a till in writerZone
// (its own TZ) filed it: day index in that zone, events as JSON per key,
// attempt index values in full, inbox times as text.
func writeV1Book(t testing.TB, path string, writerZone *time.Location, orders ...v1Order) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		names := []string{"meta", "orders", "orders_by_day", "attempts", "open_attempts", "pending_refunds", "events", "inbox"}
		bk := map[string]*bolt.Bucket{}
		for _, n := range names {
			bk[n], err = tx.CreateBucket([]byte(n))
			if err != nil {
				return err
			}
		}
		if err := bk["meta"].Put(keySchemaVersion, u64(1)); err != nil {
			return err
		}
		for _, vo := range orders {
			o := vo.order
			if err := bk["orders"].Put([]byte(o.Number), encodeOrderV1(&o)); err != nil {
				return err
			}
			if err := bk["orders_by_day"].Put(dayKey(o.CreatedAt, writerZone, o.Number), nil); err != nil {
				return err
			}
			for _, a := range o.Attempts {
				bk["attempts"].Put([]byte(a.OutTradeNo), []byte(o.Number))
				if a.Open() {
					bk["open_attempts"].Put([]byte(a.OutTradeNo), []byte(o.Number))
				}
			}
			for i, ev := range vo.events {
				ev.OrderNumber, ev.Seq = o.Number, uint64(i+1)
				v, _ := json.Marshal(ev)
				key := binary.BigEndian.AppendUint64(append([]byte(o.Number), 0), ev.Seq)
				if err := bk["events"].Put(key, v); err != nil {
					return err
				}
			}
		}
		return bk["inbox"].Put([]byte("alipay/n-1"), []byte("2025-03-01T16:34:00Z"))
	})
	if err != nil {
		t.Fatal(err)
	}
}
