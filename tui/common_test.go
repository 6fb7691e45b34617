package tui

import (
	"context"
	"testing"
	"time"

	"qrtill/pos"
)

func TestRequestDropsOtherAnswers(t *testing.T) {
	c := &common{}
	var r request
	if r.busy() || r.answered(0) {
		t.Fatal("a fresh request is waiting for something")
	}
	first := r.start(c)
	second := r.start(c) // supersedes the first
	if !r.busy() || r.answered(first) {
		t.Fatal("the superseded call's answer was taken")
	}
	if !r.answered(second) || r.busy() || r.answered(second) {
		t.Fatal("the awaited answer was not taken exactly once")
	}
	var other request
	if id := other.start(c); id == first || id == second {
		t.Fatalf("ids repeat across a session's requests: %d", id)
	}
}

// dayTill answers OrdersByDay with one order per call, counting calls.
type dayTill struct {
	Till
	calls int
}

func (d *dayTill) OrdersByDay(_ context.Context, day time.Time) ([]pos.Order, error) {
	d.calls++
	return []pos.Order{{Number: day.Format(time.DateOnly)}}, nil
}

func TestDayLoaderCoalescesRefreshes(t *testing.T) {
	till := &dayTill{}
	c := &common{ctx: context.Background(), till: till}
	day := time.Date(2026, 11, 22, 9, 0, 0, 0, time.Local)
	var l dayLoader
	first := l.load(c, day)
	for range 2 {
		if l.refresh(c, day) != nil {
			t.Fatal("a refresh while a load is under way started another call")
		}
	}
	ok, next := l.answered(c, first().(dayOrdersMsg))
	if !ok || next == nil {
		t.Fatalf("answer taken %v, refresh after it %v", ok, next != nil)
	}
	if ok, again := l.answered(c, next().(dayOrdersMsg)); !ok || again != nil {
		t.Fatalf("the refresh's answer: taken %v, yet another load %v", ok, again != nil)
	}
	if till.calls != 2 {
		t.Fatalf("%d calls for a load and two refreshes, want 2", till.calls)
	}
}

func TestDayLoaderNewDaySupersedes(t *testing.T) {
	c := &common{ctx: context.Background(), till: &dayTill{}}
	day := time.Date(2026, 11, 22, 9, 0, 0, 0, time.Local)
	var l dayLoader
	old := l.load(c, day)
	l.refresh(c, day)
	newer := l.load(c, day.AddDate(0, 0, -1))
	if ok, _ := l.answered(c, old().(dayOrdersMsg)); ok {
		t.Fatal("the old day's answer was taken after another day was asked for")
	}
	msg := newer().(dayOrdersMsg)
	if ok, next := l.answered(c, msg); !ok || next != nil || msg.orders[0].Number != "2026-11-21" {
		t.Fatalf("the day before: taken %v, refresh %v, orders %v", ok, next != nil, msg.orders)
	}
}
