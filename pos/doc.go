// Package pos is the till's domain: money in integer fen, the catalog, the
// basket, orders and their state machine, order numbers, and the till
// service that runs a sale. It does no I/O of its own: the order book and
// the payment providers come in as interfaces (Store, payments.Provider).
package pos
