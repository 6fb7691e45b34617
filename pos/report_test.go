package pos

import (
	"testing"
	"time"

	"qrtill/payments"
)

func TestBuildDayReport(t *testing.T) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	paid := func(total Money, ch payments.Channel, refunds ...Refund) Order {
		return Order{Status: OrderPaid, Total: total, Channel: ch, PaidBy: "P1", Refunds: refunds}
	}
	orders := []Order{
		paid(1000, payments.Alipay),
		paid(550, payments.WeChat),
		paid(2000, payments.Alipay,
			Refund{OutTradeNo: "P1", Amount: 500, Status: payments.RefundSuccess},
			Refund{OutTradeNo: "P1", Amount: 100, Status: payments.RefundPending},
			Refund{OutTradeNo: "P2", Amount: 2000, Status: payments.RefundSuccess}),
		{Status: OrderCancelled, Total: 300},
		{Status: OrderExpired, Total: 700},
	}
	orders[2].Status = OrderPartiallyRefunded
	r := BuildDayReport(day, orders)
	if r.Day != "2026-11-22" || r.Orders != 5 {
		t.Errorf("day %q orders %d", r.Day, r.Orders)
	}
	if r.Paid != (Tally{3, 3550}) {
		t.Errorf("paid = %+v, want 3 / 3550", r.Paid)
	}
	if r.ByChannel[payments.Alipay] != (Tally{2, 3000}) || r.ByChannel[payments.WeChat] != (Tally{1, 550}) {
		t.Errorf("by channel = %+v", r.ByChannel)
	}
	if r.Refunded != (Tally{1, 500}) || r.AutoRefunded != (Tally{1, 2000}) {
		t.Errorf("refunded = %+v auto = %+v", r.Refunded, r.AutoRefunded)
	}
	if r.Net != 3050 {
		t.Errorf("net = %d, want 3050", r.Net)
	}
	if r.ByStatus[OrderCancelled] != (Tally{1, 300}) || r.ByStatus[OrderPaid] != (Tally{2, 1550}) {
		t.Errorf("by status = %+v", r.ByStatus)
	}
	want := []OrderStatus{OrderPaid, OrderPartiallyRefunded, OrderCancelled, OrderExpired}
	if got := r.Statuses(); len(got) != len(want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if got := BuildDayReport(day, nil); got.Net != 0 || got.Orders != 0 {
		t.Errorf("empty report = %+v", got)
	}
}
