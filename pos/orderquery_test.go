package pos

import (
	"testing"

	"qrtill/payments"
)

func TestOrderAttempts(t *testing.T) {
	o := Order{Number: "N", Attempts: []Attempt{
		{OutTradeNo: "NP01", Status: AttemptClosed},
		{OutTradeNo: "NP02", Status: AttemptScanned},
	}}
	if a, ok := o.OpenAttempt(); !ok || a.OutTradeNo != "NP02" {
		t.Errorf("OpenAttempt = %s, %v; want NP02", a.OutTradeNo, ok)
	}
	if a, ok := o.LastAttempt(); !ok || a.OutTradeNo != "NP02" {
		t.Errorf("LastAttempt = %s, %v; want NP02", a.OutTradeNo, ok)
	}
	p := o.Attempt("NP01")
	if p == nil || p.Status != AttemptClosed {
		t.Fatalf("Attempt(NP01) = %+v", p)
	}
	p.Status = AttemptExpired
	if o.Attempts[0].Status != AttemptExpired {
		t.Error("Attempt() does not point into the order")
	}
	if o.Attempt("NP09") != nil {
		t.Error("Attempt found a missing out_trade_no")
	}
	o.Attempts[1].Status = AttemptPaid
	if _, ok := o.OpenAttempt(); ok {
		t.Error("OpenAttempt found one on an order with none open")
	}
	if _, ok := (Order{}).LastAttempt(); ok {
		t.Error("LastAttempt of an order with no attempts")
	}
}

func TestOrderRefundAmounts(t *testing.T) {
	paid := []Attempt{
		{OutTradeNo: "NP01", Status: AttemptClosed, Amount: 1000},
		{OutTradeNo: "NP02", Status: AttemptPaid, Amount: 1000, PaidAmount: 900},  // a provider discount
		{OutTradeNo: "NP03", Status: AttemptPaid, Amount: 1000, PaidAmount: 1000}, // a second payment
	}
	refund := func(on string, amount Money, st payments.RefundState) Refund {
		return Refund{OutTradeNo: on, Amount: amount, Status: st}
	}
	tests := []struct {
		name                       string
		o                          Order
		paid, refunded, refundable Money
	}{
		{"unpaid", Order{Attempts: paid[:1]}, 0, 0, 0},
		{"paid", Order{PaidBy: "NP02", Attempts: paid}, 1000, 0, 1000},
		{"paid by a missing attempt", Order{PaidBy: "NP09", Attempts: paid}, 0, 0, 0},
		{"refunds of every state", Order{PaidBy: "NP02", Attempts: paid, Refunds: []Refund{
			refund("NP02", 100, payments.RefundSuccess),
			refund("NP02", 200, payments.RefundPending),  // reserved
			refund("NP02", 400, payments.RefundFailed),   // given back to the pot
			refund("NP03", 1000, payments.RefundPending), // the second payment's own refund
		}}, 1000, 300, 700},
		{"refunded in full", Order{PaidBy: "NP02", Attempts: paid, Refunds: []Refund{
			refund("NP02", 1000, payments.RefundSuccess),
		}}, 1000, 1000, 0},
		{"over-refunded (never by the till)", Order{PaidBy: "NP02", Attempts: paid, Refunds: []Refund{
			refund("NP02", 1200, payments.RefundSuccess),
		}}, 1000, 1200, 0},
		{"refunds but not paid", Order{Attempts: paid, Refunds: []Refund{refund("", 100, payments.RefundSuccess)}}, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.o.PaidAmount(); got != tt.paid {
			t.Errorf("%s: PaidAmount = %s, want %s", tt.name, got, tt.paid)
		}
		if got := tt.o.RefundedAmount(); got != tt.refunded {
			t.Errorf("%s: RefundedAmount = %s, want %s", tt.name, got, tt.refunded)
		}
		if got := tt.o.Refundable(); got != tt.refundable {
			t.Errorf("%s: Refundable = %s, want %s", tt.name, got, tt.refundable)
		}
		if got := Refundable(tt.o); got != tt.refundable {
			t.Errorf("%s: the till's Refundable(o) = %s, the method says %s", tt.name, got, tt.refundable)
		}
	}
}
