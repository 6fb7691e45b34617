package pos

import (
	"sort"
	"time"

	"qrtill/payments"
)

// Tally is a count of orders and their sum.
type Tally struct {
	Count int   `json:"count"`
	Total Money `json:"total_fen"`
}

func (t *Tally) add(m Money) { t.Count++; t.Total += m }

// DayReport is one local day's takings: what was sold, how it was paid,
// what went back, and what the shop keeps.
type DayReport struct {
	Day       string                     `json:"day"` // YYYY-MM-DD
	Orders    int                        `json:"orders"`
	ByStatus  map[OrderStatus]Tally      `json:"by_status"`
	ByChannel map[payments.Channel]Tally `json:"by_channel"` // paid orders, by the channel that paid
	Paid      Tally                      `json:"paid"`       // orders paid (incl. later refunded)
	Refunded  Tally                      `json:"refunded"`   // successful refunds of sales
	// ExternalRefunded is the part of Refunded made outside the till (the
	// merchant platform, the provider's app), booked from the provider.
	ExternalRefunded Tally `json:"external_refunded"`
	// Abnormal counts refunds the provider could not pay into the buyer's
	// account (WeChat ABNORMAL): reserved, not yet given back; the
	// manager reissues them on the merchant platform.
	Abnormal Tally `json:"abnormal_refunds"`
	// AutoRefunded counts automatic refunds of second payments: money that
	// came in twice for one sale and went straight back.
	AutoRefunded Tally `json:"auto_refunded"`
	Net          Money `json:"net_fen"` // Paid.Total − Refunded.Total
	// Cash: sales paid in cash, the refunds of them handed back from the
	// drawer, and the cash the day's sales leave in it (CashTaken.Total −
	// CashRefunded.Total; the float the shop starts with is not counted).
	CashTaken    Tally `json:"cash_taken"`
	CashRefunded Tally `json:"cash_refunded"`
	CashExpected Money `json:"cash_expected_fen"`
}

// BuildDayReport sums a day's orders.
func BuildDayReport(day time.Time, orders []Order) DayReport {
	r := DayReport{
		Day:       day.Format("2006-01-02"),
		Orders:    len(orders),
		ByStatus:  map[OrderStatus]Tally{},
		ByChannel: map[payments.Channel]Tally{},
	}
	for _, o := range orders {
		st := r.ByStatus[o.Status]
		st.add(o.Total)
		r.ByStatus[o.Status] = st
		if o.PaidBy != "" {
			r.Paid.add(o.Total)
			ch := r.ByChannel[o.Channel]
			ch.add(o.Total)
			r.ByChannel[o.Channel] = ch
		}
		for _, ref := range o.Refunds {
			switch {
			case ref.Status == payments.RefundAbnormal:
				r.Abnormal.add(ref.Amount)
			case ref.Status != payments.RefundSuccess:
			case ref.OutTradeNo == o.PaidBy:
				r.Refunded.add(ref.Amount)
				if ref.External {
					r.ExternalRefunded.add(ref.Amount)
				}
			default:
				r.AutoRefunded.add(ref.Amount)
			}
		}
	}
	r.Net = r.Paid.Total - r.Refunded.Total
	r.addCash(orders)
	return r
}

// Statuses lists the order statuses present in the report, in a fixed order.
func (r DayReport) Statuses() []OrderStatus {
	order := []OrderStatus{OrderOpen, OrderAwaitingPayment, OrderPaid, OrderPartiallyRefunded, OrderRefunded, OrderCancelled, OrderExpired}
	var out []OrderStatus
	for _, s := range order {
		if _, ok := r.ByStatus[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Channels lists the channels present in the report, sorted.
func (r DayReport) Channels() []payments.Channel {
	var out []payments.Channel
	for ch := range r.ByChannel {
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
