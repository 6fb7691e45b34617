package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qrtill/pos"
)

func TestOrdersByDayBoundaries(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Location: shanghai})
	for _, o := range []pos.Order{
		newOrder("20250301-0001", at(1, 0, 0, 0)),    // first second of 1 March
		newOrder("20250301-0002", at(1, 23, 59, 59)), // last second of 1 March
		newOrder("20250302-0001", at(2, 0, 0, 0)),    // first second of 2 March
		// 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
		newOrder("20250302-0002", time.Date(2025, 3, 1, 16, 30, 0, 0, time.UTC)),
		newOrder("20250303-0001", at(3, 12, 0, 0)),
	} {
		if err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	mustDay := func(s string) time.Time {
		d, err := db.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		name string
		day  time.Time
		want []string
	}{
		{"1 March", mustDay("2025-03-01"), []string{"20250301-0001", "20250301-0002"}},
		{"2 March", mustDay("2025-03-02"), []string{"20250302-0001", "20250302-0002"}},
		{"any instant of 2 March", at(2, 23, 59, 59), []string{"20250302-0001", "20250302-0002"}},
		// 20:00 UTC on 1 March is already 04:00 on 2 March in Shanghai.
		{"an instant given in UTC", time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC), []string{"20250302-0001", "20250302-0002"}},
		{"3 March", mustDay("2025-03-03"), []string{"20250303-0001"}},
		{"a day without orders", mustDay("2025-02-28"), []string{}},
		{"after the last day", mustDay("2025-03-04"), []string{}},
	} {
		got, err := db.OrdersByDay(ctx, c.day)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Errorf("%s: OrdersByDay = nil, want an empty list", c.name)
		}
		sameJSON(t, c.name, numbers(got), c.want)
	}
	if _, err := db.ParseDay("1 March"); err == nil {
		t.Error("ParseDay(1 March) succeeded")
	}
}

func TestOrdersByDayFollowsCreatedAt(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if err := db.CreateOrder(ctx, newOrder("N1", at(1, 23, 0, 0))); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdateOrder(ctx, "N1", func(o *pos.Order) ([]pos.Event, error) {
		o.CreatedAt = at(2, 1, 0, 0)
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range map[int][]string{1: {}, 2: {"N1"}} {
		got, err := db.OrdersByDay(ctx, at(day, 12, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "day after the move", numbers(got), want)
	}
}

func TestAllOrders(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	got, err := db.AllOrders(ctx)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("AllOrders of an empty book = %v, %v, want an empty list", got, err)
	}
	var want []pos.Order
	for i, n := range []string{"20250302-0001", "20250301-0002", "20250301-0001"} {
		o := newOrder(n, at(1, 9, 0, 0))
		if err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		o.DailyNo = i + 1 // given in the order they were created
		want = append([]pos.Order{o}, want...)
	}
	got, err = db.AllOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "AllOrders", got, want)
}

func TestOrdersByDayInterleaved(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	// Numbers that do not follow the days (a clock that was set back).
	for n, day := range map[string]int{"N1": 1, "N2": 2, "N3": 1, "N4": 2, "N5": 1, "N6": 3} {
		if err := db.CreateOrder(ctx, newOrder(n, at(day, 10, 0, 0))); err != nil {
			t.Fatal(err)
		}
	}
	for day, want := range map[int][]string{1: {"N1", "N3", "N5"}, 2: {"N2", "N4"}, 3: {"N6"}} {
		got, err := db.OrdersByDay(ctx, at(day, 0, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, fmt.Sprintf("day %d", day), numbers(got), want)
	}
}
