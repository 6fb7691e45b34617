package printer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/printer"
	"qrtill/printer/decode"
)

func refundedOrder(ch payments.Channel) pos.Order {
	o := paidOrder(orderNo, ch, water, noodles)
	o.Status = pos.OrderPartiallyRefunded
	o.Refunds = []pos.Refund{
		{RefundNo: orderNo + "R01", OutTradeNo: o.PaidBy, Amount: 600, Status: payments.RefundSuccess, UpdatedAt: at(11, 0, 0).UTC()},
		{RefundNo: orderNo + "R02", OutTradeNo: o.PaidBy, Amount: 1290, Reason: "包装破损 damaged pack",
			Status: payments.RefundSuccess, UpdatedAt: at(11, 5, 0).UTC()},
	}
	return o
}

func TestRefundSlip(t *testing.T) {
	for _, l := range langs {
		for _, w := range widths {
			for _, ch := range []payments.Channel{payments.Alipay, payments.Cash} {
				t.Run(fmt.Sprintf("%s-%d-%s", l, w, ch), func(t *testing.T) {
					s, err := printer.RefundSlipFromOrder(refundedOrder(ch), orderNo+"R02",
						printer.Header{Shop: "qrtill demo shop", Lang: l, Location: shanghai})
					if err != nil {
						t.Fatal(err)
					}
					if s.Amount != 1290 || s.RefundedInAll != 1890 || s.OrderTotal != 3180 || s.Time.Format("15:04") != "11:05" {
						t.Fatalf("slip %+v", s)
					}
					job, err := s.Render(w)
					if err != nil {
						t.Fatal(err)
					}
					doc := decodeJob(t, job, w)
					cash := ch == payments.Cash
					if doc.Count(decode.Cut) != 1 || (doc.Count(decode.Pulse) == 1) != cash || len(doc.QRs()) != 0 {
						t.Errorf("cuts %d pulses %d QRs %d", doc.Count(decode.Cut), doc.Count(decode.Pulse), len(doc.QRs()))
					}
					for _, v := range []string{"￥12.90", "￥18.90", "￥31.80", orderNo + "R02"} {
						checkRightEdge(t, doc, v, w)
					}
					if all := strings.Join(doc.Texts(), "\n"); !strings.Contains(all, "包装破损 damaged pack") {
						t.Errorf("reason missing:\n%s", all)
					}
					if ch == payments.Alipay && w == printer.Paper58 || cash && w == printer.Paper80 {
						golden(t, fmt.Sprintf("refund-%s-%d-%s.txt", l, w, ch), doc.Render())
					}
				})
			}
		}
	}
}

func TestRefundSlipUnknownRefund(t *testing.T) {
	if _, err := printer.RefundSlipFromOrder(refundedOrder(payments.Alipay), "nope", printer.Header{}); !errors.Is(err, printer.ErrNoRefund) {
		t.Fatalf("unknown refund: %v", err)
	}
}
