package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/pos"
)

// Going live (issue 12), the till's side, against the sandbox with the
// real gopay providers.

// waitOrder polls the stored order until cond holds, with a deadline.
func waitOrder(t *testing.T, r *testkit.Rig, number, what string, cond func(pos.Order) bool) pos.Order {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := r.Till.Order(context.Background(), number)
		if err == nil && cond(o) {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s never %s: %s %v", number, what, o.Status, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// qrSale checks out one line and opens a QR on ch.
func qrSale(t *testing.T, r *testkit.Rig, ch payments.Channel) pos.Order {
	t.Helper()
	ctx := context.Background()
	o, err := r.Till.Checkout(ctx, lines, "ann", "t1")
	if err != nil {
		t.Fatal(err)
	}
	if o, err = r.Till.Pay(ctx, o.Number, ch); err != nil {
		t.Fatal(err)
	}
	return o
}

// A close refused with a code the provider package does not list — here
// because the buyer paid just before — is settled by a query: the sale
// is booked paid, with no notification and no polling to find it.
func TestCloseRefusedSettlesByQuery(t *testing.T) {
	for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat} {
		t.Run(string(ch), func(t *testing.T) {
			r := testkit.New(t, testkit.Options{NoPolling: true, Poll: pos.DefaultPollPolicy().Scaled(0.01)})
			o := qrSale(t, r, ch)
			r.Gateway.PostFaults(t, sandbox.Faults{PayBeforeClose: 1, CloseRefuseNext: 50, CloseRefuseCode: "TRADE_STATE_UNKNOWN_TO_THE_TILL"})
			_, err := r.Till.Cancel(context.Background(), o.Number)
			if err != nil && !errors.Is(err, pos.ErrClosePending) {
				t.Fatalf("cancel: %v", err)
			}
			got := waitOrder(t, r, o.Number, "booked paid", func(o pos.Order) bool { return o.Status == pos.OrderPaid })
			if got.PaidBy == "" {
				t.Fatalf("paid order with no paying attempt: %+v", got)
			}
		})
	}
}
