package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// migration moves the data from version-1 to version. up may be nil when
// the step only adds buckets (Open creates every bucket in allBuckets) or
// when fileUnder does the work.
type migration struct {
	version uint64
	name    string
	up      func(tx *bolt.Tx) error
}

// migrations run in order, each at most once per file. Append only: never
// edit or reorder a step that has shipped.
var migrations = []migration{
	{version: 1, name: "initial layout: orders, day and attempt indexes, events, inbox"},
	// Schema 1 filed each order under the day of the writing process's own
	// TZ and recorded no zone, so fileUnder files every order again. New
	// writes use the compact order, index and inbox values and event_logs;
	// the old values and the old events bucket stay readable.
	{version: 2, name: "orders filed under the shop's day in one zone; compact values; one event log per order"},
	// numberOrders does the work, after fileUnder: it needs the shop's days.
	{version: 3, name: "daily numbers per shop day; attempt kinds and cash in the order value"},
	// New writes use formatOrderV4 (external refunds); older values read
	// as they are. The book also records whether it is a demo's or a
	// live till's.
	{version: 4, name: "external and ABNORMAL refunds in the order value; the book's mode, demo or live"},
}

// schemaVersion is the newest version this code writes.
var schemaVersion = migrations[len(migrations)-1].version

// migrate refuses a file newer than the code, creates the buckets, runs the
// missing migrations, records the version and files the orders under
// loc's days. It runs inside Open's one Update, so a failed step leaves
// the file as it was.
func migrate(tx *bolt.Tx, loc *time.Location) error {
	have, err := storedVersion(tx)
	if err != nil {
		return err
	}
	if err := checkNotNewer(have); err != nil {
		return err
	}
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	for _, m := range migrations {
		if m.version <= have || m.up == nil {
			continue
		}
		if err := m.up(tx); err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
	}
	if have != schemaVersion {
		if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(schemaVersion)); err != nil {
			return fmt.Errorf("write schema version: %w", err)
		}
	}
	if err := fileUnder(tx, loc); err != nil {
		return err
	}
	if have < 3 {
		if err := numberOrders(tx, loc); err != nil {
			return fmt.Errorf("migrate to version 3 (daily numbers): %w", err)
		}
	}
	return nil
}

// checkNotNewer refuses a book written by a newer qrtill.
func checkNotNewer(have uint64) error {
	if have > schemaVersion {
		return fmt.Errorf("check schema: file has version %d, this qrtill knows up to %d; upgrade qrtill or pass --data: %w",
			have, schemaVersion, ErrSchemaTooNew)
	}
	return nil
}

// fileUnder makes the day index follow loc: when the book records
// another zone (or none, before schema 2), every order is filed again
// under its day in loc, and loc is recorded.
func fileUnder(tx *bolt.Tx, loc *time.Location) error {
	meta := tx.Bucket(bucketMeta)
	if string(meta.Get(keyTimeZone)) == loc.String() {
		return nil
	}
	if err := tx.DeleteBucket(bucketOrdersByDay); err != nil {
		return fmt.Errorf("refile orders: %w", err)
	}
	days, err := tx.CreateBucket(bucketOrdersByDay)
	if err != nil {
		return fmt.Errorf("refile orders: %w", err)
	}
	days.FillPercent = appendFill
	dec := newDecoder(loc, false)
	err = tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		var o pos.Order
		if err := dec.order(&o, v); err != nil {
			return fmt.Errorf("decode order %s: %w", k, err)
		}
		return days.Put(dayKey(o.CreatedAt, loc, string(k)), []byte{})
	})
	if err != nil {
		return fmt.Errorf("refile orders under %s: %w", loc, err)
	}
	if err := meta.Put(keyTimeZone, []byte(loc.String())); err != nil {
		return fmt.Errorf("record time zone: %w", err)
	}
	return forgetDailyNumbers(tx)
}

// readLayout is a read-only Open's look at the book: its version (an
// uninitialised book is ErrNoBook, a newer one refused) and the zone its
// days are filed in, which wins over the one asked for.
func (db *DB) readLayout(asked *time.Location) error {
	return db.view(context.Background(), func(tx *bolt.Tx) error {
		have, err := storedVersion(tx)
		switch {
		case err != nil:
			return err
		case have == 0:
			return fmt.Errorf("open order book %s: %w", db.path, ErrNoBook)
		}
		if err := checkNotNewer(have); err != nil {
			return fmt.Errorf("open order book %s: %w", db.path, err)
		}
		db.legacyDays = have < 2
		db.legacyNumbers = have < 3
		name := tx.Bucket(bucketMeta).Get(keyTimeZone)
		if name == nil || string(name) == asked.String() {
			return nil
		}
		loc, err := LoadZone(string(name))
		if err != nil {
			return fmt.Errorf("open order book %s: its days are filed in %s, which this system does not know; install the time zone data: %w", db.path, name, err)
		}
		db.loc = loc
		return nil
	})
}

// storedVersion reads the schema version; 0 for a new file.
func storedVersion(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchemaVersion)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("read schema version: %d bytes, want 8", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
