package relay

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The relay's bbolt layout, all in one place.
//
//	meta/schema_version         → uint64 BE
//	tills/{till}/notes/{id}     → encoded notification (id: uint64 BE, the per-till sequence)
//	tills/{till}/acked/{id}     → time acknowledged, unix nanoseconds BE
//	tills/{till}/acked_through  → uint64 BE: every id up to here is acknowledged (or pruned)
//	tills/{till}/counts         → stored, stored bytes, backlog: 3 × uint64 BE (schema 2)
var (
	bucketMeta   = []byte("meta")
	bucketTills  = []byte("tills")
	bucketNotes  = []byte("notes")
	bucketAcked  = []byte("acked")
	keySchema    = []byte("schema_version")
	keyAckedThru = []byte("acked_through")
	keyCounts    = []byte("counts")
)

// schemaVersion is written at open; a file from a newer relay is refused.
// 2 added the counts, computed at open for a file of schema 1.
const schemaVersion = 2

// tillCounts are a till's running totals, kept in the same transaction
// as every change, so quotas and stats cost one read.
type tillCounts struct {
	stored, bytes, backlog uint64
}

func readCounts(tb *bolt.Bucket) tillCounts {
	v := tb.Get(keyCounts)
	if len(v) != 24 {
		return tillCounts{}
	}
	return tillCounts{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), binary.BigEndian.Uint64(v[16:])}
}

func writeCounts(tb *bolt.Bucket, c tillCounts) error {
	v := binary.BigEndian.AppendUint64(nil, c.stored)
	v = binary.BigEndian.AppendUint64(v, c.bytes)
	v = binary.BigEndian.AppendUint64(v, c.backlog)
	return tb.Put(keyCounts, v)
}

func readTillStats(tb *bolt.Bucket) TillStats {
	c := readCounts(tb)
	return TillStats{
		LastID:       tb.Bucket(bucketNotes).Sequence(),
		AckedThrough: getU64(tb.Get(keyAckedThru)),
		Backlog:      int(c.backlog),
		Stored:       int(c.stored),
		StoredBytes:  int64(c.bytes),
	}
}

// tillBucket returns a till's bucket, or nil if it has none yet.
func tillBucket(tx *bolt.Tx, till string) *bolt.Bucket {
	return tx.Bucket(bucketTills).Bucket([]byte(till))
}

// ensureTill returns a till's bucket, creating it and its sub-buckets
// (in a writable transaction).
func ensureTill(tx *bolt.Tx, till string) (*bolt.Bucket, error) {
	tb, err := tx.Bucket(bucketTills).CreateBucketIfNotExists([]byte(till))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{bucketNotes, bucketAcked} {
		if _, err := tb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return tb, nil
}

// prepare creates the buckets of every known till, checks and writes the
// schema version and counts a schema-1 file's notifications, in one
// transaction.
func prepare(db *bolt.DB, tills []string) error {
	return db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		old := getU64(meta.Get(keySchema))
		if old > schemaVersion {
			return fmt.Errorf("schema version %d is newer than this relay's %d; run the newer relay", old, schemaVersion)
		}
		if _, err := tx.CreateBucketIfNotExists(bucketTills); err != nil {
			return err
		}
		for _, till := range tills {
			if _, err := ensureTill(tx, till); err != nil {
				return err
			}
		}
		if old < 2 {
			if err := countAll(tx); err != nil {
				return err
			}
		}
		return meta.Put(keySchema, u64(schemaVersion))
	})
}

// countAll writes the counts of every till from its notifications.
func countAll(tx *bolt.Tx) error {
	tills := tx.Bucket(bucketTills)
	return tills.ForEachBucket(func(name []byte) error {
		tb := tills.Bucket(name)
		if _, err := ensureTill(tx, string(name)); err != nil {
			return err
		}
		acked := tb.Bucket(bucketAcked)
		var c tillCounts
		err := tb.Bucket(bucketNotes).ForEach(func(k, v []byte) error {
			c.stored++
			c.bytes += uint64(len(v))
			if acked.Get(k) == nil {
				c.backlog++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return writeCounts(tb, c)
	})
}
