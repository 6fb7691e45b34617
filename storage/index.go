package storage

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// indexed is what the secondary indexes hold for one order: its
// orders_by_day key, per attempt whether it is open, and whether a refund
// is pending.
type indexed struct {
	dayKey         string
	attempts       map[string]bool // out_trade_no → Attempt.Open()
	pendingRefunds bool
}

// indexOf computes an order's index entries and checks that its attempts
// can be indexed: each has an out_trade_no, none twice.
func indexOf(o *pos.Order, loc *time.Location) (indexed, error) {
	ix := indexed{
		dayKey:   string(dayKey(o.CreatedAt, loc, o.Number)),
		attempts: make(map[string]bool, len(o.Attempts)),
	}
	for i, a := range o.Attempts {
		if a.OutTradeNo == "" {
			return indexed{}, fmt.Errorf("index order %s: attempt %d has no out_trade_no", o.Number, i)
		}
		if _, dup := ix.attempts[a.OutTradeNo]; dup {
			return indexed{}, fmt.Errorf("index order %s: attempt %s twice: %w", o.Number, a.OutTradeNo, pos.ErrDuplicate)
		}
		ix.attempts[a.OutTradeNo] = a.Open()
	}
	for _, r := range o.Refunds {
		if r.Unsettled() {
			ix.pendingRefunds = true
		}
	}
	return ix, nil
}

// checkNumber refuses order numbers that cannot be keys.
func checkNumber(number string) error {
	switch {
	case number == "":
		return fmt.Errorf("check order number: empty")
	case strings.IndexByte(number, 0) >= 0:
		return fmt.Errorf("check order number %q: contains a NUL byte", number)
	}
	return nil
}

// reindex moves an order's index entries from before to after, touching
// only what changed. An out_trade_no that already belongs to another order
// is refused with pos.ErrDuplicate.
func reindex(tx *bolt.Tx, number string, before, after indexed) error {
	if before.dayKey != after.dayKey {
		days := tx.Bucket(bucketOrdersByDay)
		if before.dayKey != "" {
			if err := days.Delete([]byte(before.dayKey)); err != nil {
				return fmt.Errorf("unindex day of order %s: %w", number, err)
			}
		}
		if err := days.Put([]byte(after.dayKey), []byte{}); err != nil {
			return fmt.Errorf("index day of order %s: %w", number, err)
		}
	}
	if before.pendingRefunds != after.pendingRefunds {
		if err := setMember(tx.Bucket(bucketPendingRefunds), []byte(number), []byte{}, after.pendingRefunds); err != nil {
			return fmt.Errorf("index pending refunds of order %s: %w", number, err)
		}
	}
	return reindexAttempts(tx, number, before, after)
}

// reindexAttempts is reindex for the attempts and open_attempts indexes.
func reindexAttempts(tx *bolt.Tx, number string, before, after indexed) error {
	all, open := tx.Bucket(bucketAttempts), tx.Bucket(bucketOpenAttempts)
	for otn := range before.attempts {
		if _, kept := after.attempts[otn]; kept {
			continue
		}
		if err := all.Delete([]byte(otn)); err != nil {
			return fmt.Errorf("unindex attempt %s: %w", otn, err)
		}
		if err := open.Delete([]byte(otn)); err != nil {
			return fmt.Errorf("unindex open attempt %s: %w", otn, err)
		}
	}
	for otn, isOpen := range after.attempts {
		key, owner := []byte(otn), ownerValue(otn, number)
		wasOpen, had := before.attempts[otn]
		if !had {
			if v := all.Get(key); v != nil && attemptOwner(key, v) != number {
				return fmt.Errorf("index attempt %s: it belongs to order %s: %w", otn, attemptOwner(key, v), pos.ErrDuplicate)
			}
			if err := all.Put(key, owner); err != nil {
				return fmt.Errorf("index attempt %s: %w", otn, err)
			}
		}
		if had && wasOpen == isOpen {
			continue
		}
		if err := setMember(open, key, owner, isOpen); err != nil {
			return fmt.Errorf("index open attempt %s: %w", otn, err)
		}
	}
	return nil
}

// setMember puts key with value into b when in, and deletes it when not.
func setMember(b *bolt.Bucket, key, value []byte, in bool) error {
	if in {
		return b.Put(key, value)
	}
	return b.Delete(key)
}

// ownerValue is what the attempt indexes store for an out_trade_no of
// order number: nothing when the number is the out_trade_no up to its
// last "P" followed by digits (pos.AttemptOutTradeNo), else the number.
func ownerValue(outTradeNo, number string) []byte {
	if i := strings.LastIndexByte(outTradeNo, 'P'); i == len(number) && outTradeNo[:i] == number && allDigits(outTradeNo[i+1:]) {
		return []byte{}
	}
	return []byte(number)
}

// attemptOwner reads an attempt index entry back into its order number.
func attemptOwner(key, value []byte) string {
	i := bytes.LastIndexByte(key, 'P')
	if len(value) > 0 || i < 0 {
		return string(value)
	}
	return string(key[:i])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
