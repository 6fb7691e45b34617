package storage

import (
	"context"
	"testing"

	"qrtill/pos"
)

func TestEventsPerOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	// "N1" is a prefix of "N10" and "N1-2": their logs must stay apart.
	for _, n := range []string{"N10", "N1", "N1-2", "N2"} {
		if err := db.CreateOrder(ctx, newOrder(n, at(1, 9, 0, 0)), event("created")); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []string{"N1", "N10", "N1", "N1", "N2", "N10"} {
		_, err := db.UpdateOrder(ctx, n, func(o *pos.Order) ([]pos.Event, error) {
			return []pos.Event{event("step"), event("step")}, nil
		})
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	for n, want := range map[string]int{"N1": 7, "N10": 5, "N1-2": 1, "N2": 3} {
		evs, err := db.Events(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != want {
			t.Errorf("Events(%s) has %d events, want %d", n, len(evs), want)
		}
		for i, ev := range evs {
			if ev.Seq != uint64(i+1) || ev.OrderNumber != n {
				t.Errorf("Events(%s)[%d] = seq %d of %q, want seq %d of %s", n, i, ev.Seq, ev.OrderNumber, i+1, n)
			}
		}
	}
}

func TestUpdateWithoutEvents(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if err := db.CreateOrder(ctx, newOrder("N1", at(1, 9, 0, 0))); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdateOrder(ctx, "N1", func(o *pos.Order) ([]pos.Event, error) {
		o.Status = pos.OrderCancelled
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, "N1")
	if err != nil || evs == nil || len(evs) != 0 {
		t.Errorf("Events = %v, %v, want an empty list", evs, err)
	}
	o, _ := db.Order(ctx, "N1")
	if o.Status != pos.OrderCancelled {
		t.Errorf("status = %s, want cancelled", o.Status)
	}
}
