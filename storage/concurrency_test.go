package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"qrtill/pos"
)

// TestConcurrentWriters has 8 goroutines each create and then update 1,000
// orders; nothing may be lost.
func TestConcurrentWriters(t *testing.T) {
	const writers, each = 8, 1000
	ctx := context.Background()
	db := openTest(t, Options{NoSync: true})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				n := fmt.Sprintf("W%d-%05d", w, i)
				if err := db.CreateOrder(ctx, newOrder(n, at(1, 9, 0, 0)), event("created")); err != nil {
					errs <- err
					return
				}
				st := pos.AttemptWaiting
				if i%2 == 1 {
					st = pos.AttemptPaid
				}
				_, err := db.UpdateOrder(ctx, n, func(o *pos.Order) ([]pos.Event, error) {
					o.Status = pos.OrderAwaitingPayment
					o.Attempts = append(o.Attempts, newAttempt(n+"A1", st))
					return []pos.Event{event("qr_issued")}, nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	all, err := db.AllOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*each {
		t.Fatalf("AllOrders has %d orders, want %d", len(all), writers*each)
	}
	for _, o := range all {
		if o.Status != pos.OrderAwaitingPayment || len(o.Attempts) != 1 {
			t.Fatalf("order %s = %s with %d attempts, want the update stored", o.Number, o.Status, len(o.Attempts))
		}
	}
	open, err := db.OpenAttempts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != writers*each/2 {
		t.Errorf("OpenAttempts has %d orders, want %d", len(open), writers*each/2)
	}
	day, err := db.OrdersByDay(ctx, at(1, 9, 0, 0))
	if err != nil || len(day) != writers*each {
		t.Errorf("OrdersByDay has %d orders (%v), want %d", len(day), err, writers*each)
	}
	evs, err := db.Events(ctx, "W7-00999")
	if err != nil || len(evs) != 2 {
		t.Errorf("Events(W7-00999) = %d events (%v), want 2", len(evs), err)
	}
}
