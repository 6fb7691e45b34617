package printer

import (
	"strings"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// RefundSlip is the paper a refund prints: the customer's proof that
// money went back, with a line to sign when it went back in cash.
type RefundSlip struct {
	Lang     Lang
	Shop     string
	Order    string // the refunded order's number
	RefundNo string
	Time     time.Time // when the refund was made, in the shop's time zone
	Cashier  string
	Channel  payments.Channel
	TradeNo  string    // the provider's trade number of the refunded payment
	Amount   pos.Money // this refund
	// OrderTotal is what the order cost; RefundedInAll is every
	// successful refund of it so far, this one included.
	OrderTotal, RefundedInAll pos.Money
	Reason                    string
	Copy                      bool // a reprint: "COPY" on top, no drawer pulse
}

// OpensDrawer reports whether printing the slip opens the cash drawer:
// the first print of a cash refund does, since the money comes out of it.
func (s RefundSlip) OpensDrawer() bool { return s.Channel == payments.Cash && !s.Copy }

// Name implements Document.
func (s RefundSlip) Name(l Lang) string {
	if l == Chinese {
		return "订单" + s.Order + "的退款单"
	}
	return "the refund slip of order " + s.Order
}

// Again implements Document: the same slip marked as a copy.
func (s RefundSlip) Again() Document { s.Copy = true; return s }

// Render implements Document.
func (s RefundSlip) Render(w Width) ([]byte, error) {
	p := newPage(w, s.Lang)
	p.open(s.OpensDrawer(), s.Shop, p.lang.word("refund"), s.Copy)
	p.pair(p.lang.word("order"), s.Order)
	p.pair(p.lang.word("refund_no"), s.RefundNo)
	p.pair(p.lang.word("time"), stamp(s.Time))
	p.pair(p.lang.word("cashier"), orDash(s.Cashier))
	p.pair(p.lang.word("paid_by"), p.lang.channelName(s.Channel))
	if s.TradeNo != "" {
		p.pair(p.lang.word("trade_no"), s.TradeNo)
	}
	p.rule()
	p.emphasis(p.lang.word("refunded"), yuan(s.Amount))
	p.pair(p.lang.word("order_total"), yuan(s.OrderTotal))
	p.pair(p.lang.word("refunded_sum"), yuan(s.RefundedInAll))
	if s.Reason != "" {
		p.Lines(Wrap(p.lang.word("reason")+": "+s.Reason, p.cols))
	}
	if s.Channel == payments.Cash {
		p.Feed(2)
		p.Line(p.lang.word("signature") + ": " + strings.Repeat("_", p.cols-Cells(p.lang.word("signature"))-2))
	}
	return p.end()
}
