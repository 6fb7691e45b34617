package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/storage"
)

// The day report counts cash: taken, handed back, and what the drawer
// should hold.
func TestReportCash(t *testing.T) {
	data := t.TempDir()
	db, err := storage.Open(filepath.Join(data, "orders.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cash := func(n string, total pos.Money, refunds ...pos.Refund) pos.Order {
		return pos.Order{Number: n, Status: pos.OrderPaid, Total: total, Channel: payments.Cash, PaidBy: n + "P01",
			CreatedAt: now, UpdatedAt: now, Refunds: refunds,
			Lines: []pos.Line{{SKU: "W1", UnitPrice: total, Quantity: 1, Total: total}},
			Attempts: []pos.Attempt{{OutTradeNo: n + "P01", OrderNumber: n, Channel: payments.Cash, Kind: pos.KindCash,
				Status: pos.AttemptPaid, Amount: total, PaidAmount: total, CashGiven: 10000, Change: 10000 - total,
				CreatedAt: now, ExpiresAt: now, UpdatedAt: now}}}
	}
	for _, o := range []pos.Order{
		cash("C1", 1250),
		cash("C2", 800, pos.Refund{RefundNo: "C2R01", OutTradeNo: "C2P01", Amount: 300, Status: payments.RefundSuccess}),
	} {
		if err := db.CreateOrder(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, errOut, code := cli(t, "report", "--data", data, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var js struct {
		Taken    pos.Tally `json:"cash_taken"`
		Refunded pos.Tally `json:"cash_refunded"`
		Expected pos.Money `json:"cash_expected_fen"`
		Net      pos.Money `json:"net_fen"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err)
	}
	if js.Taken != (pos.Tally{Count: 2, Total: 2050}) || js.Refunded != (pos.Tally{Count: 1, Total: 300}) || js.Expected != 1750 || js.Net != 1750 {
		t.Fatalf("cash in the JSON report: %s", out)
	}
	out, _, code = cli(t, "report", "--data", data)
	if code != 0 || !strings.Contains(out, "cash expected in the drawer") || !strings.Contains(out, "¥17.50") {
		t.Fatalf("table report = %q", out)
	}
}
