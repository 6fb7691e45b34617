package printer

import (
	"fmt"
	"sort"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// Header is what the till knows that an order does not carry: the shop's
// name, the language to print in, and the shop's time zone.
type Header struct {
	Shop string
	Lang Lang
	// Location is the shop's time zone ([shop] time_zone); nil prints
	// times as they are stored.
	Location *time.Location
}

func (h Header) local(t time.Time) time.Time {
	if h.Location == nil || t.IsZero() {
		return t
	}
	return t.In(h.Location)
}

// ReceiptFromOrder builds the receipt of an order from what pos.Order
// holds, its daily number and, for a cash sale, the cash given and the
// change among it.
func ReceiptFromOrder(o pos.Order, h Header) Receipt {
	r := Receipt{
		Lang: h.Lang, Shop: h.Shop, DailyNo: o.DailyNo, Order: o.Number, Cashier: o.Cashier,
		Total: o.Total, Channel: o.Channel, Time: h.local(o.CreatedAt),
	}
	r.CashGiven, r.Change, _ = o.Cash()
	if a, ok := paidAttempt(o); ok {
		r.TradeNo = a.ProviderTradeNo
		if !a.PaidAt.IsZero() {
			r.Time = h.local(a.PaidAt)
		}
	}
	for _, l := range o.Lines {
		r.Items = append(r.Items, Item{Name: lineName(l, h.Lang), Quantity: l.Quantity, UnitPrice: l.UnitPrice, Total: l.Total})
	}
	return r
}

// RefundSlipFromOrder builds the slip of one of an order's refunds.
func RefundSlipFromOrder(o pos.Order, refundNo string, h Header) (RefundSlip, error) {
	s := RefundSlip{Lang: h.Lang, Shop: h.Shop, Order: o.Number, RefundNo: refundNo,
		Cashier: o.Cashier, Channel: o.Channel, OrderTotal: o.Total}
	found := false
	for _, ref := range o.Refunds {
		if ref.RefundNo == refundNo {
			found = true
			s.Amount, s.Reason, s.Time = ref.Amount, ref.Reason, h.local(ref.UpdatedAt)
		}
		if ref.Status == payments.RefundSuccess && ref.OutTradeNo == o.PaidBy {
			s.RefundedInAll += ref.Amount
		}
	}
	if !found {
		return s, fmt.Errorf("find refund %s of order %s: %w", refundNo, o.Number, ErrNoRefund)
	}
	if a, ok := paidAttempt(o); ok {
		s.TradeNo = a.ProviderTradeNo
	}
	return s, nil
}

// ZReportFromDay builds the Z report from the day's report (the totals
// `qrtill report` shows, the cash in the drawer among them) and the
// day's orders (for the first and last order numbers).
func ZReportFromDay(rep pos.DayReport, orders []pos.Order, printedAt time.Time, h Header) ZReport {
	z := ZReport{Lang: h.Lang, Shop: h.Shop, Day: rep.Day, PrintedAt: h.local(printedAt),
		Orders: rep.Orders, Paid: rep.Paid, Refunds: rep.Refunded, DoublePaid: rep.AutoRefunded, Net: rep.Net}
	for _, st := range rep.Statuses() {
		z.ByStatus = append(z.ByStatus, StatusTally{Status: st, Tally: rep.ByStatus[st]})
	}
	z.Channels = channelTallies(rep)
	z.CashExpected = rep.CashExpected
	numbers := make([]string, 0, len(orders))
	for _, o := range orders {
		numbers = append(numbers, o.Number)
	}
	if len(numbers) > 0 {
		sort.Strings(numbers) // order numbers sort by time
		z.FirstOrder, z.LastOrder = numbers[0], numbers[len(numbers)-1]
	}
	return z
}

// channelTallies lists Alipay, WeChat Pay and cash always (a channel
// that took nothing shows 0), then any other channel the day had.
func channelTallies(rep pos.DayReport) []ChannelTally {
	out := []ChannelTally{}
	seen := map[payments.Channel]bool{}
	for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat, payments.Cash} {
		out = append(out, ChannelTally{Channel: ch, Tally: rep.ByChannel[ch]})
		seen[ch] = true
	}
	for _, ch := range rep.Channels() {
		if !seen[ch] {
			out = append(out, ChannelTally{Channel: ch, Tally: rep.ByChannel[ch]})
		}
	}
	return out
}

// paidAttempt is the attempt that paid the order.
func paidAttempt(o pos.Order) (pos.Attempt, bool) {
	if a := o.Attempt(o.PaidBy); a != nil && o.PaidBy != "" {
		return *a, true
	}
	return pos.Attempt{}, false
}

// lineName is a line's name in the language, or in the other one when
// it has none.
func lineName(l pos.Line, lang Lang) string {
	first, second := l.NameEN, l.NameZH
	if lang == Chinese {
		first, second = second, first
	}
	if first != "" {
		return first
	}
	if second != "" {
		return second
	}
	return l.SKU
}
