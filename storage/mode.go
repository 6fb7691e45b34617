package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The modes a book is written in (Options.Mode).
const (
	ModeDemo = "demo" // the in-process sandbox: pretend money
	ModeLive = "live" // the real providers
)

// checkMode records the mode of the first till that writes a book, and
// refuses a till in the other mode: demo orders never share a book with
// live ones, so a day's report is never pretend money and real.
func checkMode(tx *bolt.Tx, mode string) error {
	if mode == "" {
		return nil
	}
	meta := tx.Bucket(bucketMeta)
	switch have := string(meta.Get(keyMode)); have {
	case "":
		return meta.Put(keyMode, []byte(mode))
	case mode:
		return nil
	default:
		return fmt.Errorf("this order book holds %s orders and this till runs in %s mode; keep them apart: pass another --data for the %s till: %w",
			have, mode, mode, ErrWrongMode)
	}
}
