package printer_test

import (
	"testing"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/printer"
)

// A receipt built from an order carries the order's daily number and,
// for a cash sale, the cash given and the change, as the till stored them.
func TestReceiptFromOrderCarriesTheCounter(t *testing.T) {
	o := paidOrder("20261122093000000abc0003", payments.Cash, water, tea)
	o.DailyNo = 17
	o.Attempts[0].Kind, o.Attempts[0].CashGiven, o.Attempts[0].Change = pos.KindCash, 10000, 10000-o.Total
	r := printer.ReceiptFromOrder(o, printer.Header{Shop: "s", Lang: printer.English, Location: shanghai})
	if r.DailyNo != 17 || r.CashGiven != 10000 || r.Change != 10000-o.Total || !r.OpensDrawer() {
		t.Fatalf("receipt %+v", r)
	}
	qr := printer.ReceiptFromOrder(paidOrder("20261122093000000abc0004", payments.Alipay, water), printer.Header{Lang: printer.English})
	if qr.CashGiven != 0 || qr.Change != 0 || qr.OpensDrawer() {
		t.Fatalf("an Alipay receipt with cash: %+v", qr)
	}
}
