package storage

// Every bucket of the order book, in one place. Keys sort the way they are
// scanned (STYLE.md §18):
//
//	meta            "schema_version"                                → uint64, big-endian
//	orders          order number                                    → pos.Order (codec_order.go; no events)
//	orders_by_day   "YYYY-MM-DD" + order number                     → empty
//	attempts        out_trade_no                                    → order number
//	open_attempts   out_trade_no                                    → order number, only while Attempt.Open()
//	pending_refunds order number                                    → empty, only while a Refund is pending
//	events          order number + 0x00 + seq (8 bytes, big-endian) → JSON pos.Event
//	inbox           channel + "/" + notification id                 → received time, RFC 3339
//
// Order numbers sort by creation time, so a cursor over orders is oldest
// first. The day in orders_by_day is the local calendar day (Options.Location)
// of Order.CreatedAt; it is fixed width, so one day is a Seek plus a prefix
// scan. Order numbers never contain 0x00, so an order's events are the keys
// with the prefix number+0x00, in Seq order.
var (
	bucketMeta           = []byte("meta")
	bucketOrders         = []byte("orders")
	bucketOrdersByDay    = []byte("orders_by_day")
	bucketAttempts       = []byte("attempts")
	bucketOpenAttempts   = []byte("open_attempts")
	bucketPendingRefunds = []byte("pending_refunds")
	bucketEvents         = []byte("events")
	bucketInbox          = []byte("inbox")
)

// allBuckets are the top-level buckets Open makes sure exist.
var allBuckets = [][]byte{
	bucketMeta,
	bucketOrders,
	bucketOrdersByDay,
	bucketAttempts,
	bucketOpenAttempts,
	bucketPendingRefunds,
	bucketEvents,
	bucketInbox,
}

// keySchemaVersion is the meta key that holds the schema version.
var keySchemaVersion = []byte("schema_version")
