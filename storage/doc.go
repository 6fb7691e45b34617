// Package storage is the till's order book on bbolt: orders, their payment
// attempts and event logs, the notification inbox and the schema version.
//
// A *DB implements pos.Store. Every method that changes anything is one
// bbolt read-write transaction, so an order, its attempt indexes and its
// events land together or not at all. bbolt's own errors stop at this
// package's boundary: callers see pos.ErrNotFound, pos.ErrDuplicate,
// ErrLocked, ErrSchemaTooNew, ErrClosed, ErrNoBook or ErrDamaged.
//
// bbolt trusts the file it maps, so Open checks it first (check.go) and
// panics inside bbolt are recovered as damage (guard.go): a damaged book
// is refused with the backup to restore, never written to. Orders are
// filed under the shop's day in one zone (zone.go). Consistent, checked
// copies and daily snapshots are in backup.go.
//
// The key layout is described in buckets.go, the value formats in
// codec_order.go and codec_event.go.
package storage
