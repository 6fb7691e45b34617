package storage

import (
	"context"
	"errors"
	"testing"

	"qrtill/payments"
	"qrtill/pos"
)

func TestCreateOrderAndRead(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	want := newOrder("20250301-0001", at(1, 9, 30, 0))
	if err := db.CreateOrder(ctx, want, event("created")); err != nil {
		t.Fatal(err)
	}
	want.DailyNo = 1 // the day's first
	got, err := db.Order(ctx, want.Number)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Order", got, want)

	evs, err := db.Events(ctx, want.Number)
	if err != nil {
		t.Fatal(err)
	}
	wantEv := event("created")
	wantEv.OrderNumber, wantEv.Seq = want.Number, 1
	sameJSON(t, "Events", evs, []pos.Event{wantEv})
}

func TestCreateOrderWithAttempt(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	o := newOrder("N1", at(1, 9, 0, 0), newAttempt("N1A1", pos.AttemptWaiting))
	if err := db.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := db.OrderByOutTradeNo(ctx, "N1A1")
	if err != nil || got.Number != "N1" {
		t.Errorf("OrderByOutTradeNo = %q, %v, want N1", got.Number, err)
	}
	open, err := db.OpenAttempts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "OpenAttempts", numbers(open), []string{"N1"})
	evs, err := db.Events(ctx, "N1")
	if err != nil || len(evs) != 0 {
		t.Errorf("Events = %+v, %v, want none", evs, err)
	}
}

func TestCreateOrderRefused(t *testing.T) {
	ctx := context.Background()
	existing := newOrder("N1", at(1, 9, 0, 0), newAttempt("N1A1", pos.AttemptWaiting))
	twice := newOrder("N2", at(1, 9, 0, 0), newAttempt("X", pos.AttemptClosed), newAttempt("X", pos.AttemptWaiting))
	for _, c := range []struct {
		name string
		o    pos.Order
		want error // nil: any error
	}{
		{"existing number", newOrder("N1", at(2, 9, 0, 0)), pos.ErrDuplicate},
		{"out_trade_no of another order", newOrder("N2", at(1, 9, 0, 0), newAttempt("N1A1", pos.AttemptWaiting)), pos.ErrDuplicate},
		{"out_trade_no twice", twice, pos.ErrDuplicate},
		{"attempt without out_trade_no", newOrder("N2", at(1, 9, 0, 0), newAttempt("", pos.AttemptWaiting)), nil},
		{"empty number", newOrder("", at(1, 9, 0, 0)), nil},
		{"number with NUL", newOrder("N\x002", at(1, 9, 0, 0)), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openTest(t, Options{NoSync: true})
			if err := db.CreateOrder(ctx, existing, event("created")); err != nil {
				t.Fatal(err)
			}
			err := db.CreateOrder(ctx, c.o, event("created"))
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("CreateOrder = %v, want %v", err, c.want)
			}
			all, _ := db.AllOrders(ctx)
			stored := existing
			stored.DailyNo = 1
			sameJSON(t, "orders after refusal", all, []pos.Order{stored})
			evs, _ := db.Events(ctx, "N1")
			if len(evs) != 1 {
				t.Errorf("N1 has %d events, want 1", len(evs))
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if err := db.CreateOrder(ctx, newOrder("N1", at(1, 9, 0, 0))); err != nil {
		t.Fatal(err)
	}
	noop := func(*pos.Order) ([]pos.Event, error) { return nil, nil }
	for name, call := range map[string]func() error{
		"Order":             func() error { _, err := db.Order(ctx, "N2"); return err },
		"OrderByOutTradeNo": func() error { _, err := db.OrderByOutTradeNo(ctx, "N1A1"); return err },
		"Events":            func() error { _, err := db.Events(ctx, "N2"); return err },
		"UpdateOrder":       func() error { _, err := db.UpdateOrder(ctx, "N2", noop); return err },
		"Events of a prefix": func() error {
			_, err := db.Events(ctx, "N")
			return err
		},
	} {
		if err := call(); !errors.Is(err, pos.ErrNotFound) {
			t.Errorf("%s = %v, want pos.ErrNotFound", name, err)
		}
	}
}

func TestUpdateOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	o := newOrder("N1", at(1, 9, 0, 0))
	if err := db.CreateOrder(ctx, o, event("created")); err != nil {
		t.Fatal(err)
	}
	var fnEvents []pos.Event
	got, err := db.UpdateOrder(ctx, "N1", func(o *pos.Order) ([]pos.Event, error) {
		o.Status = pos.OrderAwaitingPayment
		o.Channel = payments.WeChat
		o.Attempts = append(o.Attempts, newAttempt("N1A1", pos.AttemptCreating))
		fnEvents = []pos.Event{event("attempt_created"), event("qr_issued")}
		return fnEvents, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := o
	want.DailyNo = 1
	want.Status = pos.OrderAwaitingPayment
	want.Channel = payments.WeChat
	want.Attempts = []pos.Attempt{newAttempt("N1A1", pos.AttemptCreating)}
	want.Attempts[0].OrderNumber = "" // newAttempt alone does not set it
	sameJSON(t, "UpdateOrder result", got, want)
	stored, err := db.Order(ctx, "N1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "stored order", stored, want)

	evs, err := db.Events(ctx, "N1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i, ev := range evs {
		kinds = append(kinds, string(ev.Kind))
		if ev.Seq != uint64(i+1) || ev.OrderNumber != "N1" {
			t.Errorf("event %d: seq %d, order %q; want seq %d, order N1", i, ev.Seq, ev.OrderNumber, i+1)
		}
	}
	sameJSON(t, "event kinds", kinds, []string{"created", "attempt_created", "qr_issued"})
	if fnEvents[1].Seq != 3 || fnEvents[1].OrderNumber != "N1" {
		t.Errorf("fn's event = %+v, want Seq 3 and OrderNumber filled in", fnEvents[1])
	}
}

func TestUpdateOrderErrorWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	want := newOrder("N1", at(1, 9, 0, 0), newAttempt("N1A1", pos.AttemptWaiting))
	if err := db.CreateOrder(ctx, want, event("created")); err != nil {
		t.Fatal(err)
	}
	want.DailyNo = 1
	refuse := errors.New("refused by the state machine")
	cases := map[string]func(o *pos.Order) ([]pos.Event, error){
		"fn error": func(o *pos.Order) ([]pos.Event, error) {
			o.Status = pos.OrderPaid
			o.Attempts[0].Status = pos.AttemptPaid
			o.Attempts = append(o.Attempts, newAttempt("N1A2", pos.AttemptWaiting))
			return []pos.Event{event("paid")}, refuse
		},
		"number changed": func(o *pos.Order) ([]pos.Event, error) {
			o.Number = "N2"
			return []pos.Event{event("renamed")}, nil
		},
		"out_trade_no twice": func(o *pos.Order) ([]pos.Event, error) {
			o.Attempts[0].Status = pos.AttemptClosed
			o.Attempts = append(o.Attempts, newAttempt("N1A1", pos.AttemptWaiting))
			return []pos.Event{event("again")}, nil
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := db.UpdateOrder(ctx, "N1", fn)
			if err == nil {
				t.Fatal("UpdateOrder succeeded")
			}
			if name == "fn error" && err != refuse {
				t.Errorf("UpdateOrder = %v, want fn's error as is", err)
			}
			sameJSON(t, "result", got, pos.Order{})
			stored, _ := db.Order(ctx, "N1")
			sameJSON(t, "stored order", stored, want)
			evs, _ := db.Events(ctx, "N1")
			if len(evs) != 1 {
				t.Errorf("%d events, want 1", len(evs))
			}
			open, _ := db.OpenAttempts(ctx)
			sameJSON(t, "OpenAttempts", numbers(open), []string{"N1"})
			if _, err := db.OrderByOutTradeNo(ctx, "N1A2"); !errors.Is(err, pos.ErrNotFound) {
				t.Errorf("OrderByOutTradeNo(N1A2) = %v, want pos.ErrNotFound", err)
			}
			if _, err := db.Order(ctx, "N2"); !errors.Is(err, pos.ErrNotFound) {
				t.Errorf("Order(N2) = %v, want pos.ErrNotFound", err)
			}
		})
	}
}

func TestUpdateOrderTakesOtherOrdersAttempt(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	for _, o := range []pos.Order{
		newOrder("N1", at(1, 9, 0, 0), newAttempt("N1A1", pos.AttemptClosed)),
		newOrder("N2", at(1, 9, 0, 0)),
	} {
		if err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.UpdateOrder(ctx, "N2", func(o *pos.Order) ([]pos.Event, error) {
		o.Attempts = append(o.Attempts, newAttempt("N1A1", pos.AttemptWaiting))
		return nil, nil
	})
	if !errors.Is(err, pos.ErrDuplicate) {
		t.Errorf("UpdateOrder = %v, want pos.ErrDuplicate", err)
	}
	got, _ := db.OrderByOutTradeNo(ctx, "N1A1")
	if got.Number != "N1" {
		t.Errorf("N1A1 belongs to %q, want N1", got.Number)
	}
}

// step is one UpdateOrder in an index test, with what should follow.
type step struct {
	name    string
	number  string
	fn      func(o *pos.Order)
	open    []string          // OpenAttempts, by number
	refunds []string          // PendingRefunds, by number
	owners  map[string]string // out_trade_no → order number ("" = not found)
}

func TestAttemptIndexes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	for _, n := range []string{"N1", "N2", "N3"} {
		if err := db.CreateOrder(ctx, newOrder(n, at(1, 9, 0, 0))); err != nil {
			t.Fatal(err)
		}
	}
	add := func(otn string, st pos.AttemptStatus) func(o *pos.Order) {
		return func(o *pos.Order) { o.Attempts = append(o.Attempts, newAttempt(otn, st)) }
	}
	move := func(otn string, st pos.AttemptStatus) func(o *pos.Order) {
		return func(o *pos.Order) {
			for i := range o.Attempts {
				if o.Attempts[i].OutTradeNo == otn {
					o.Attempts[i].Status = st
				}
			}
		}
	}
	steps := []step{
		{name: "no attempts", number: "N1", fn: func(*pos.Order) {}, open: []string{}, owners: map[string]string{"N1A1": ""}},
		{name: "N2 opens an attempt", number: "N2", fn: add("N2A1", pos.AttemptCreating), open: []string{"N2"}, owners: map[string]string{"N2A1": "N2"}},
		{name: "N1 opens an attempt", number: "N1", fn: add("N1A1", pos.AttemptWaiting), open: []string{"N1", "N2"}, owners: map[string]string{"N1A1": "N1"}},
		{name: "scanned is still open", number: "N1", fn: move("N1A1", pos.AttemptScanned), open: []string{"N1", "N2"}},
		{name: "closing is still open", number: "N1", fn: move("N1A1", pos.AttemptClosing), open: []string{"N1", "N2"}},
		{name: "second open attempt lists N1 once", number: "N1", fn: add("N1A2", pos.AttemptWaiting), open: []string{"N1", "N2"}},
		{name: "first closes, second keeps N1 open", number: "N1", fn: move("N1A1", pos.AttemptClosed), open: []string{"N1", "N2"}, owners: map[string]string{"N1A1": "N1"}},
		{name: "second paid", number: "N1", fn: move("N1A2", pos.AttemptPaid), open: []string{"N2"}, owners: map[string]string{"N1A1": "N1", "N1A2": "N1"}},
		{name: "N2 fails", number: "N2", fn: move("N2A1", pos.AttemptFailed), open: []string{}, owners: map[string]string{"N2A1": "N2"}},
		{name: "reopened by the state machine", number: "N2", fn: move("N2A1", pos.AttemptWaiting), open: []string{"N2"}},
		{name: "N3 expired attempt", number: "N3", fn: add("N3A1", pos.AttemptExpired), open: []string{"N2"}, owners: map[string]string{"N3A1": "N3"}},
		{name: "attempt dropped from the order", number: "N2", fn: func(o *pos.Order) { o.Attempts = nil }, open: []string{}, owners: map[string]string{"N2A1": ""}},
		{name: "refund pending", number: "N1", fn: func(o *pos.Order) {
			o.Refunds = append(o.Refunds, pos.Refund{RefundNo: "N1R1", OutTradeNo: "N1A2", Amount: 100, Status: payments.RefundPending})
		}, open: []string{}, refunds: []string{"N1"}},
		{name: "second refund pending", number: "N1", fn: func(o *pos.Order) {
			o.Refunds = append(o.Refunds, pos.Refund{RefundNo: "N1R2", OutTradeNo: "N1A2", Amount: 100, Status: payments.RefundPending})
		}, open: []string{}, refunds: []string{"N1"}},
		{name: "other order refund pending", number: "N3", fn: func(o *pos.Order) {
			o.Refunds = append(o.Refunds, pos.Refund{RefundNo: "N3R1", Amount: 100, Status: payments.RefundPending})
		}, open: []string{}, refunds: []string{"N1", "N3"}},
		{name: "first refund done", number: "N1", fn: func(o *pos.Order) { o.Refunds[0].Status = payments.RefundSuccess }, open: []string{}, refunds: []string{"N1", "N3"}},
		{name: "second refund failed", number: "N1", fn: func(o *pos.Order) { o.Refunds[1].Status = payments.RefundFailed }, open: []string{}, refunds: []string{"N3"}},
	}
	for _, s := range steps {
		_, err := db.UpdateOrder(ctx, s.number, func(o *pos.Order) ([]pos.Event, error) {
			s.fn(o)
			return []pos.Event{event(pos.EventKind(s.name))}, nil
		})
		if err != nil {
			t.Fatalf("%s: UpdateOrder = %v", s.name, err)
		}
		open, err := db.OpenAttempts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, s.name+": OpenAttempts", numbers(open), s.open)
		if s.refunds == nil {
			s.refunds = []string{}
		}
		refunds, err := db.PendingRefunds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, s.name+": PendingRefunds", numbers(refunds), s.refunds)
		for otn, owner := range s.owners {
			got, err := db.OrderByOutTradeNo(ctx, otn)
			switch {
			case owner == "" && !errors.Is(err, pos.ErrNotFound):
				t.Errorf("%s: OrderByOutTradeNo(%s) = %q, %v, want pos.ErrNotFound", s.name, otn, got.Number, err)
			case owner != "" && (err != nil || got.Number != owner):
				t.Errorf("%s: OrderByOutTradeNo(%s) = %q, %v, want %s", s.name, otn, got.Number, err, owner)
			}
		}
		checkDB(t, db)
	}
}
