package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migration moves the data from version-1 to version. up may be nil when
// the step only adds buckets (Open creates every bucket in allBuckets).
type migration struct {
	version uint64
	name    string
	up      func(tx *bolt.Tx) error
}

// migrations run in order, each at most once per file. Append only: never
// edit or reorder a step that has shipped.
var migrations = []migration{
	{version: 1, name: "initial layout: orders, day and attempt indexes, events, inbox"},
}

// schemaVersion is the newest version this code writes.
var schemaVersion = migrations[len(migrations)-1].version

// migrate refuses a file newer than the code, creates the buckets, runs the
// missing migrations and records the version. It runs inside Open's one
// Update, so a failed step leaves the file as it was.
func migrate(tx *bolt.Tx) error {
	have, err := storedVersion(tx)
	if err != nil {
		return err
	}
	if have > schemaVersion {
		return fmt.Errorf("check schema: file has version %d, this qrtill knows up to %d; upgrade qrtill or pass --data: %w",
			have, schemaVersion, ErrSchemaTooNew)
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
	if have == schemaVersion {
		return nil
	}
	if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(schemaVersion)); err != nil {
		return fmt.Errorf("write schema version: %w", err)
	}
	return nil
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
