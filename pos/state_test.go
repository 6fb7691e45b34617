package pos

import (
	"errors"
	"testing"
	"time"
)

// The expected matrices are written out independently of the tables in
// state.go: a change to either must be made on purpose in both.
func TestOrderMovesEveryPair(t *testing.T) {
	allowed := map[[2]OrderStatus]bool{
		{OrderOpen, OrderAwaitingPayment}: true, {OrderOpen, OrderCancelled}: true,
		{OrderAwaitingPayment, OrderPaid}: true, {OrderAwaitingPayment, OrderCancelled}: true, {OrderAwaitingPayment, OrderExpired}: true,
		{OrderExpired, OrderAwaitingPayment}: true, {OrderExpired, OrderPaid}: true,
		{OrderPaid, OrderPartiallyRefunded}: true, {OrderPaid, OrderRefunded}: true,
		{OrderPartiallyRefunded, OrderPartiallyRefunded}: true, {OrderPartiallyRefunded, OrderRefunded}: true,
	}
	n := 0
	for _, from := range OrderStatuses() {
		for _, to := range OrderStatuses() {
			n++
			want := allowed[[2]OrderStatus{from, to}]
			o := Order{Number: "N", Status: from}
			err := moveOrder(&o, to)
			if want && (err != nil || o.Status != to) {
				t.Errorf("%s → %s refused: %v", from, to, err)
			}
			if !want && (!errors.Is(err, ErrForbiddenTransition) || o.Status != from) {
				t.Errorf("%s → %s allowed (status now %s)", from, to, o.Status)
			}
		}
	}
	if n != 49 {
		t.Fatalf("checked %d pairs, want 49", n)
	}
}

func TestAttemptMovesEveryPair(t *testing.T) {
	open := []AttemptStatus{AttemptCreating, AttemptWaiting, AttemptScanned, AttemptClosing}
	allowed := map[[2]AttemptStatus]bool{{AttemptPaid, AttemptRefunded}: true}
	for _, from := range open {
		for _, to := range []AttemptStatus{AttemptPaid, AttemptClosed, AttemptExpired, AttemptFailed} {
			allowed[[2]AttemptStatus{from, to}] = true
		}
	}
	for _, to := range []AttemptStatus{AttemptWaiting, AttemptScanned, AttemptClosing} {
		allowed[[2]AttemptStatus{AttemptCreating, to}] = true
	}
	for _, to := range []AttemptStatus{AttemptScanned, AttemptClosing} {
		allowed[[2]AttemptStatus{AttemptWaiting, to}] = true
	}
	allowed[[2]AttemptStatus{AttemptScanned, AttemptClosing}] = true
	n := 0
	for _, from := range AttemptStatuses() {
		for _, to := range AttemptStatuses() {
			n++
			want := allowed[[2]AttemptStatus{from, to}]
			a := Attempt{OutTradeNo: "A", Status: from}
			err := moveAttempt(&a, to)
			if want != (err == nil) {
				t.Errorf("%s → %s: err %v, want allowed=%v", from, to, err, want)
			}
			if !want && a.Status != from {
				t.Errorf("%s → %s refused but status changed", from, to)
			}
			// Open() agrees with the machine: only open attempts move on.
			if a2 := (Attempt{Status: from}); a2.Open() != contains(open, from) {
				t.Errorf("%s.Open() = %v", from, a2.Open())
			}
		}
	}
	if n != 81 {
		t.Fatalf("checked %d pairs, want 81", n)
	}
}

func TestNewOrder(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	lines := []Line{{SKU: "A", Quantity: 2, UnitPrice: 250, Total: 500}, {SKU: "B", Quantity: 1, UnitPrice: 300, Total: 300}}
	o, err := NewOrder("20261122090000000abc0001", lines, "ann", "t1", now)
	if err != nil || o.Total != 800 || o.Status != OrderOpen || o.Cashier != "ann" || !o.CreatedAt.Equal(now) {
		t.Fatalf("NewOrder = %+v, %v", o, err)
	}
	lines[0].SKU = "changed"
	if o.Lines[0].SKU != "A" {
		t.Error("order shares the caller's lines")
	}
	if _, err := NewOrder("20261122090000000abc0001", nil, "", "", now); !errors.Is(err, ErrEmptyBasket) {
		t.Errorf("empty: %v", err)
	}
	if _, err := NewOrder("bad number!", lines, "", "", now); !errors.Is(err, ErrBadOrderNumber) {
		t.Errorf("bad number: %v", err)
	}
}
