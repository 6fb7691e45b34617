package storage

import (
	"bytes"
	"encoding/binary"
	"time"
)

// dayLayout is the fixed-width day prefix of orders_by_day keys.
const dayLayout = "2006-01-02"

// dayPrefix is the orders_by_day prefix of the calendar day in loc that
// contains t.
func dayPrefix(t time.Time, loc *time.Location) []byte {
	return []byte(t.In(loc).Format(dayLayout))
}

// dayKey is the orders_by_day key of an order created at t.
func dayKey(t time.Time, loc *time.Location, number string) []byte {
	return append(dayPrefix(t, loc), number...)
}

// inboxKey is the inbox key of one provider notification.
func inboxKey(channel, id string) []byte {
	return []byte(channel + "/" + id)
}

// u64 encodes v big-endian, so numbers sort as bytes.
func u64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

// hasPrefix reports whether k starts with p (nil k never does).
func hasPrefix(k, p []byte) bool {
	return k != nil && bytes.HasPrefix(k, p)
}
