package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RecordNotification remembers a provider notification id in the inbox, in
// one transaction. It reports false if this channel's id was recorded
// before, so a notification delivered twice is handled once.
func (db *DB) RecordNotification(ctx context.Context, channel, id string, at time.Time) (first bool, err error) {
	if channel == "" || id == "" || strings.Contains(channel, "/") {
		return false, fmt.Errorf("record notification %q/%q: want a channel without / and an id", channel, id)
	}
	key := inboxKey(channel, id)
	err = db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		if b.Get(key) != nil {
			return nil
		}
		first = true
		return b.Put(key, binary.AppendVarint(nil, at.Unix()))
	})
	if err != nil {
		return false, fmt.Errorf("record notification %s/%s: %w", channel, id, err)
	}
	return first, nil
}
