package pos

import (
	"errors"
	"testing"
	"time"

	"qrtill/payments"
)

var applyNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// orderWith builds an awaiting-payment order of ¥12.50 with attempts in
// the given states (out_trade_no "A1", "A2", …).
func orderWith(status OrderStatus, attempts ...AttemptStatus) Order {
	o := Order{Number: "N1", Status: status, Total: 1250, CreatedAt: applyNow}
	for i, st := range attempts {
		o.Attempts = append(o.Attempts, Attempt{
			OutTradeNo: "A" + string(rune('1'+i)), OrderNumber: "N1", Channel: payments.Alipay,
			Status: st, Amount: 1250, CreatedAt: applyNow, ExpiresAt: applyNow.Add(5 * time.Minute),
		})
	}
	return o
}

func paidBy(outTradeNo string, o Order) Order {
	o.PaidBy = outTradeNo
	return o
}

func TestApplyTradeStatus(t *testing.T) {
	paid := payments.TradeStatus{State: payments.StatePaid, AmountFen: 1250, PaidFen: 1250, ProviderTradeNo: "T9", Buyer: "159****5620"}
	tests := []struct {
		name        string
		order       Order
		attempt     string
		intent      Intent
		status      payments.TradeStatus
		now         time.Time
		wantOrder   OrderStatus
		wantAttempt AttemptStatus
		wantEvents  int
		wantRefunds int
		wantCloses  int
		wantErr     error
	}{
		{"not found keeps waiting", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StateNotFound}, applyNow, OrderAwaitingPayment, AttemptWaiting, 0, 0, 0, nil},
		{"creating becomes waiting", orderWith(OrderAwaitingPayment, AttemptCreating), "A1", "",
			payments.TradeStatus{State: payments.StateWaitingScan}, applyNow, OrderAwaitingPayment, AttemptWaiting, 1, 0, 0, nil},
		{"scanned", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StateScanned, Buyer: "159****5620"}, applyNow, OrderAwaitingPayment, AttemptScanned, 1, 0, 0, nil},
		{"stale waiting after scanned changes nothing", orderWith(OrderAwaitingPayment, AttemptScanned), "A1", "",
			payments.TradeStatus{State: payments.StateWaitingScan}, applyNow, OrderAwaitingPayment, AttemptScanned, 0, 0, 0, nil},
		{"paid", orderWith(OrderAwaitingPayment, AttemptScanned), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 1, 0, 0, nil},
		{"paid twice is one payment", orderWith(OrderPaid, AttemptPaid), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 0, 0, 0, nil},
		{"paid while closing counts as paid", orderWith(OrderAwaitingPayment, AttemptClosing), "A1", IntentCancel,
			paid, applyNow, OrderPaid, AttemptPaid, 1, 0, 0, nil},
		{"wrong amount refused", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StatePaid, AmountFen: 1}, applyNow, OrderAwaitingPayment, AttemptWaiting, 0, 0, 0, ErrMismatch},
		{"unknown attempt refused", orderWith(OrderAwaitingPayment, AttemptWaiting), "ZZ", "",
			paid, applyNow, OrderAwaitingPayment, AttemptWaiting, 0, 0, 0, ErrUnknownTrade},
		{"cancel confirmed", orderWith(OrderAwaitingPayment, AttemptClosing), "A1", IntentCancel,
			payments.TradeStatus{State: payments.StateClosed}, applyNow, OrderCancelled, AttemptClosed, 2, 0, 0, nil},
		{"expiry confirmed", orderWith(OrderAwaitingPayment, AttemptClosing), "A1", IntentExpire,
			payments.TradeStatus{State: payments.StateClosed}, applyNow, OrderExpired, AttemptExpired, 2, 0, 0, nil},
		{"closed by the buyer before the deadline leaves the order payable", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StateClosed}, applyNow, OrderAwaitingPayment, AttemptClosed, 1, 0, 0, nil},
		{"closed after the deadline is expiry", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StateClosed}, applyNow.Add(time.Hour), OrderExpired, AttemptExpired, 2, 0, 0, nil},
		{"switch close leaves the order payable", orderWith(OrderAwaitingPayment, AttemptClosing), "A1", IntentSwitch,
			payments.TradeStatus{State: payments.StateClosed}, applyNow, OrderAwaitingPayment, AttemptClosed, 1, 0, 0, nil},
		{"failed payment", orderWith(OrderAwaitingPayment, AttemptScanned), "A1", "",
			payments.TradeStatus{State: payments.StateFailed, RawCode: "PAYERROR"}, applyNow, OrderAwaitingPayment, AttemptFailed, 1, 0, 0, nil},
		{"late payment on an expired order is kept", orderWith(OrderExpired, AttemptExpired), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 1, 0, 0, nil},
		{"late payment on a cancelled order is refunded", orderWith(OrderCancelled, AttemptClosed), "A1", "",
			paid, applyNow, OrderCancelled, AttemptPaid, 2, 1, 0, nil},
		{"late payment on a failed attempt is kept", orderWith(OrderAwaitingPayment, AttemptFailed), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 1, 0, 0, nil},
		{"late payment on a switched-away attempt of a paid order is refunded", paidBy("A2", orderWith(OrderPaid, AttemptClosed, AttemptPaid)), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 2, 1, 0, nil},
		{"paid and refunded before the till saw it", orderWith(OrderAwaitingPayment, AttemptWaiting), "A1", "",
			payments.TradeStatus{State: payments.StateRefunded, AmountFen: 1250, PaidFen: 1250}, applyNow, OrderAwaitingPayment, AttemptRefunded, 1, 0, 0, nil},
		{"closed and then refunded by the provider", orderWith(OrderCancelled, AttemptClosed), "A1", "",
			payments.TradeStatus{State: payments.StateRefunded, AmountFen: 1250, PaidFen: 1250}, applyNow, OrderCancelled, AttemptRefunded, 1, 0, 0, nil},
		{"refund report on a refunded attempt changes nothing", orderWith(OrderCancelled, AttemptRefunded), "A1", "",
			payments.TradeStatus{State: payments.StateRefunded, AmountFen: 1250}, applyNow, OrderCancelled, AttemptRefunded, 0, 0, 0, nil},
		{"paid attempt closes the other open one", orderWith(OrderAwaitingPayment, AttemptClosed, AttemptWaiting), "A1", "",
			paid, applyNow, OrderPaid, AttemptPaid, 1, 0, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.order
			if a := findAttempt(&o, tt.attempt); a != nil {
				a.Intent = tt.intent
			}
			res, err := applyTradeStatus(&o, tt.attempt, tt.status, SourcePoll, tt.now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if o.Status != tt.wantOrder {
				t.Errorf("order status = %s, want %s", o.Status, tt.wantOrder)
			}
			if a := findAttempt(&o, "A1"); tt.attempt == "A1" && a.Status != tt.wantAttempt {
				t.Errorf("attempt status = %s, want %s", a.Status, tt.wantAttempt)
			}
			if len(res.events) != tt.wantEvents {
				t.Errorf("events = %d %+v, want %d", len(res.events), res.events, tt.wantEvents)
			}
			if len(res.refunds) != tt.wantRefunds {
				t.Errorf("refunds = %v, want %d", res.refunds, tt.wantRefunds)
			}
			if len(res.closes) != tt.wantCloses {
				t.Errorf("closes = %v, want %d", res.closes, tt.wantCloses)
			}
		})
	}
}

func TestDoublePaymentIsRefundedAutomatically(t *testing.T) {
	o := orderWith(OrderAwaitingPayment, AttemptClosed, AttemptWaiting)
	paid := payments.TradeStatus{State: payments.StatePaid, AmountFen: 1250}
	if _, err := applyTradeStatus(&o, "A2", paid, SourcePoll, applyNow); err != nil {
		t.Fatal(err)
	}
	res, err := applyTradeStatus(&o, "A1", paid, SourceNotify, applyNow)
	if err != nil {
		t.Fatal(err)
	}
	if o.PaidBy != "A2" || o.Status != OrderPaid {
		t.Fatalf("order paid by %q status %s; want A2, paid", o.PaidBy, o.Status)
	}
	if len(res.refunds) != 1 || len(o.Refunds) != 1 {
		t.Fatalf("refunds %v / %v; want one automatic refund", res.refunds, o.Refunds)
	}
	r := o.Refunds[0]
	if r.OutTradeNo != "A1" || r.Amount != 1250 || r.Status != payments.RefundPending {
		t.Errorf("refund = %+v; want a pending ¥12.50 refund of A1", r)
	}
	if res.events[len(res.events)-1].Kind != "double_payment" {
		t.Errorf("last event %+v; want double_payment", res.events[len(res.events)-1])
	}
	// The sale's own refundable amount is untouched by the automatic refund.
	if got := Refundable(o); got != 1250 {
		t.Errorf("Refundable = %s, want ¥12.50", got)
	}
}

// A second payment made with a provider's discount (the buyer paid
// ¥10.00 of ¥12.50) is refunded in full: the trade's amount, which gives
// the buyer back all they paid.
func TestDoublePaymentRefundIsTheTradesAmount(t *testing.T) {
	o := orderWith(OrderAwaitingPayment, AttemptClosed, AttemptWaiting)
	if _, err := applyTradeStatus(&o, "A2", payments.TradeStatus{State: payments.StatePaid, AmountFen: 1250}, SourcePoll, applyNow); err != nil {
		t.Fatal(err)
	}
	discounted := payments.TradeStatus{State: payments.StatePaid, AmountFen: 1250, PaidFen: 1000}
	if _, err := applyTradeStatus(&o, "A1", discounted, SourceNotify, applyNow); err != nil {
		t.Fatal(err)
	}
	if len(o.Refunds) != 1 || o.Refunds[0].Amount != 1250 {
		t.Fatalf("refunds %+v; want one of ¥12.50 (the trade), not ¥10.00 (what the buyer paid)", o.Refunds)
	}
}

func TestPollPolicyBudget(t *testing.T) {
	p := DefaultPollPolicy()
	count := func(notifying, awaitingScan bool, window time.Duration) int {
		n := 0
		at := time.Duration(0)
		for {
			wait, ok := p.Next(at, notifying, awaitingScan, n)
			if !ok || at+wait > window {
				return n
			}
			at += wait
			n++
		}
	}
	if got := count(false, true, 2*time.Minute); got > 45 {
		t.Errorf("polling alone sends %d queries in 2 minutes, budget 45", got)
	}
	if got := count(true, false, 2*time.Minute); got > 15 {
		t.Errorf("with notifications (no scan to show) sends %d queries in 2 minutes, budget 15", got)
	}
	if got := count(true, true, 2*time.Minute); got > 25 {
		t.Errorf("an Alipay QR waiting for its scan sends %d queries in 2 minutes with notifications, budget 25", got)
	}
	if got := count(false, false, 24*time.Hour); got > p.MaxQueries {
		t.Errorf("an attempt costs %d queries, cap %d", got, p.MaxQueries)
	}
	// The first minute is quick: no gap over 2 s polling alone, none over
	// 3 s for an Alipay QR waiting for its scan even with notifications
	// ("Scanned" within 3 s).
	if wait, _ := p.Next(30*time.Second, false, false, 5); wait > 2*time.Second {
		t.Errorf("poll gap at 30 s = %s, want ≤ 2 s", wait)
	}
	for _, at := range []time.Duration{0, 10 * time.Second, 40 * time.Second} {
		sent := 0
		if at > 0 {
			sent = 3
		}
		if wait, _ := p.Next(at, true, true, sent); wait > 3*time.Second {
			t.Errorf("waiting for the scan with notifications: gap at %s = %s, want ≤ 3 s", at, wait)
		}
	}
}
