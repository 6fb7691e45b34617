package storage

import bolt "go.etcd.io/bbolt"

// Every bucket of the order book, in one place. Keys sort the way they are
// scanned (STYLE.md §18):
//
//	meta            "schema_version"                  → uint64, big-endian
//	                "time_zone"                       → the zone days are filed in, e.g. Asia/Shanghai
//	orders          order number                      → pos.Order (codec_order.go; no events)
//	orders_by_day   "YYYY-MM-DD" + order number       → empty
//	attempts        out_trade_no                      → order number; empty when it is the
//	                                                    out_trade_no up to its last "P" (pos.AttemptOutTradeNo)
//	open_attempts   out_trade_no                      → as attempts, only while Attempt.Open()
//	pending_refunds order number                      → empty, only while a Refund is pending
//	event_logs      order number                      → the order's whole event log (codec_event.go)
//	inbox           channel + "/" + notification id   → received time, Unix seconds as a varint
//	daily_numbers   "YYYY-MM-DD"                      → the last daily number given that shop day
//	                                                    (uvarint; daily.go)
//
// Order numbers sort by creation time, so a cursor over orders is oldest
// first. The day in orders_by_day is the calendar day of Order.CreatedAt
// in the shop's zone (Options.Location, recorded under "time_zone"); it
// is fixed width, so one day is a Seek plus a prefix scan.
//
// Schema 1 kept each event under order number + 0x00 + seq (8 bytes,
// big-endian) as JSON in "events"; a book migrated from it keeps that
// bucket, read-only, and an order's log is those events then its
// event_logs value.
var (
	bucketMeta           = []byte("meta")
	bucketOrders         = []byte("orders")
	bucketOrdersByDay    = []byte("orders_by_day")
	bucketAttempts       = []byte("attempts")
	bucketOpenAttempts   = []byte("open_attempts")
	bucketPendingRefunds = []byte("pending_refunds")
	bucketEventLogs      = []byte("event_logs")
	bucketInbox          = []byte("inbox")
	bucketDailyNumbers   = []byte("daily_numbers")
	bucketEventsV1       = []byte("events") // schema 1, read-only
)

// allBuckets are the top-level buckets Open makes sure exist.
var allBuckets = [][]byte{
	bucketMeta,
	bucketOrders,
	bucketOrdersByDay,
	bucketAttempts,
	bucketOpenAttempts,
	bucketPendingRefunds,
	bucketEventLogs,
	bucketInbox,
	bucketDailyNumbers,
}

// Meta keys.
var (
	keySchemaVersion = []byte("schema_version")
	keyTimeZone      = []byte("time_zone")
	keyMode          = []byte("mode")
)

// appendFill is the fill percent of the buckets whose keys mostly arrive
// in order (order numbers, days, out_trade_no): a page split at bbolt's
// default 50% leaves every full page half empty for good. The last 10%
// takes the growth of the few orders still being paid.
const appendFill = 0.9

// appendBuckets are the buckets filled to appendFill.
var appendBuckets = [][]byte{bucketOrders, bucketOrdersByDay, bucketAttempts, bucketEventLogs}

// setFillPercent sets appendFill on the append-mostly buckets of a
// writable transaction (bbolt keeps it per transaction only).
func setFillPercent(tx *bolt.Tx) {
	for _, name := range appendBuckets {
		if b := tx.Bucket(name); b != nil {
			b.FillPercent = appendFill
		}
	}
}
