package printer_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/printer"
	"qrtill/printer/decode"
)

// dayOrders is a day with every kind of order: paid on each channel, a
// partial refund, a full cash refund, a double payment sent back, a
// cancelled and an expired order.
func dayOrders() []pos.Order {
	a := paidOrder("20261122090000000abc0001", payments.Alipay, water)
	w := paidOrder("20261122091500000abc0002", payments.WeChat, tea, noodles)
	w.Status = pos.OrderPartiallyRefunded
	w.Refunds = []pos.Refund{{RefundNo: "R1", OutTradeNo: w.PaidBy, Amount: 1290, Status: payments.RefundSuccess}}
	c := paidOrder("20261122093000000abc0003", payments.Cash, water, tea)
	c2 := paidOrder("20261122094500000abc0004", payments.Cash, noodles)
	c2.Status = pos.OrderRefunded
	c2.Refunds = []pos.Refund{
		{RefundNo: "R1", OutTradeNo: c2.PaidBy, Amount: 2580, Status: payments.RefundSuccess},
		{RefundNo: "R2", OutTradeNo: c2.PaidBy, Amount: 100, Status: payments.RefundFailed},
	}
	d := paidOrder("20261122100000000abc0005", payments.Alipay, tea)
	d.Refunds = []pos.Refund{{RefundNo: "R1", OutTradeNo: "other-attempt", Amount: 350, Status: payments.RefundSuccess}}
	cancelled := pos.Order{Number: "20261122101500000abc0006", Status: pos.OrderCancelled, Total: 200}
	expired := pos.Order{Number: "20261122083000000abc0000", Status: pos.OrderExpired, Total: 350}
	return []pos.Order{a, w, c, c2, d, cancelled, expired}
}

// The Z report's figures are `qrtill report --format json`'s, plus the
// cash in the drawer and the first and last order numbers.
func TestZReportTotalsMatchReport(t *testing.T) {
	orders := dayOrders()
	rep := pos.BuildDayReport(at(0, 0, 0), orders)
	raw, err := json.Marshal(rep) // what `qrtill report --format json` prints
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Orders    int                  `json:"orders"`
		Paid      pos.Tally            `json:"paid"`
		Refunded  pos.Tally            `json:"refunded"`
		Auto      pos.Tally            `json:"auto_refunded"`
		Net       pos.Money            `json:"net_fen"`
		ByChannel map[string]pos.Tally `json:"by_channel"`
	}
	if err := json.Unmarshal(raw, &js); err != nil {
		t.Fatal(err)
	}
	z := printer.ZReportFromDay(rep, orders, at(22, 0, 0), printer.Header{Shop: "s", Lang: printer.English, Location: shanghai})
	if z.Orders != js.Orders || z.Paid != js.Paid || z.Refunds != js.Refunded || z.DoublePaid != js.Auto || z.Net != js.Net {
		t.Errorf("z %+v\njson %s", z, raw)
	}
	for _, c := range z.Channels {
		if c.Tally != js.ByChannel[string(c.Channel)] {
			t.Errorf("channel %s: %+v, json %+v", c.Channel, c.Tally, js.ByChannel[string(c.Channel)])
		}
	}
	// Cash: 9.50 taken in, 25.80 taken and refunded; the failed refund
	// gave nothing back.
	if z.CashExpected != 950 || z.FirstOrder != "20261122083000000abc0000" || z.LastOrder != "20261122101500000abc0006" {
		t.Errorf("cash %s, first %s, last %s", z.CashExpected, z.FirstOrder, z.LastOrder)
	}
	if len(z.Channels) != 3 || z.Channels[2].Channel != payments.Cash || z.Channels[2].Count != 2 {
		t.Errorf("channels %+v", z.Channels)
	}
}

func TestZReportPrinted(t *testing.T) {
	orders := dayOrders()
	rep := pos.BuildDayReport(at(0, 0, 0), orders)
	for _, l := range langs {
		for _, w := range widths {
			t.Run(fmt.Sprintf("%s-%d", l, w), func(t *testing.T) {
				z := printer.ZReportFromDay(rep, orders, at(22, 0, 0), printer.Header{Shop: "qrtill demo shop", Lang: l, Location: shanghai})
				job, err := z.Render(w)
				if err != nil {
					t.Fatal(err)
				}
				doc := decodeJob(t, job, w)
				if doc.Count(decode.Cut) != 1 || doc.Count(decode.Pulse) != 0 || len(doc.QRs()) != 0 {
					t.Errorf("cuts %d pulses %d QRs %d", doc.Count(decode.Cut), doc.Count(decode.Pulse), len(doc.QRs()))
				}
				for _, value := range []string{"￥" + rep.Net.Yuan(), "￥9.50", z.FirstOrder, z.LastOrder, "-38.70", "3.50"} {
					checkRightEdge(t, doc, value, w)
				}
				golden(t, fmt.Sprintf("zreport-%s-%d.txt", l, w), doc.Render())
			})
		}
	}
}

func TestZReportEmptyDay(t *testing.T) {
	rep := pos.BuildDayReport(at(0, 0, 0), nil)
	z := printer.ZReportFromDay(rep, nil, at(22, 0, 0), printer.Header{Lang: printer.Chinese})
	job, err := z.Render(printer.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(decodeJob(t, job, printer.Paper58).Texts(), "\n")
	for _, s := range []string{"日结报表", "首笔订单", "无", "现金", "0.00"} {
		if !strings.Contains(all, s) {
			t.Errorf("empty day lacks %q:\n%s", s, all)
		}
	}
}
