package storage

import (
	"bytes"
	"encoding/binary"
	"time"
)

// dayLayout is the fixed-width day prefix of orders_by_day keys.
const dayLayout = "2006-01-02"

// dayPrefix is the orders_by_day prefix of the local calendar day that
// contains t.
func dayPrefix(t time.Time, loc *time.Location) []byte {
	return []byte(t.In(loc).Format(dayLayout))
}

// dayKey is the orders_by_day key of an order created at t.
func dayKey(t time.Time, loc *time.Location, number string) []byte {
	return append(dayPrefix(t, loc), number...)
}

// eventPrefix is the prefix of every events key of one order.
func eventPrefix(number string) []byte {
	k := make([]byte, 0, len(number)+1+8)
	return append(append(k, number...), 0)
}

// eventKey is the events key of one event.
func eventKey(number string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(eventPrefix(number), seq)
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
