// Package storage is the till's order book on bbolt: orders, their payment
// attempts and event logs, the notification inbox and the schema version.
//
// A *DB implements pos.Store. Every method that changes anything is one
// bbolt read-write transaction, so an order, its attempt indexes and its
// events land together or not at all. bbolt's own errors stop at this
// package's boundary: callers see pos.ErrNotFound, pos.ErrDuplicate,
// ErrLocked, ErrSchemaTooNew or ErrClosed.
//
// The key layout is described in buckets.go.
package storage
