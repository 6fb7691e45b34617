package printer

import (
	"fmt"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// ZReport is the day's closing report, printed when the shop closes.
type ZReport struct {
	Lang      Lang
	Shop      string
	Day       string    // YYYY-MM-DD, the shop's day
	PrintedAt time.Time // in the shop's time zone
	Orders    int
	ByStatus  []StatusTally
	// Channels are paid orders by the channel that paid, cash included.
	Channels []ChannelTally
	Paid     pos.Tally // orders paid (later refunds included)
	Refunds  pos.Tally // successful refunds of sales
	// DoublePaid counts second payments of one sale that went straight
	// back.
	DoublePaid pos.Tally
	Net        pos.Money // Paid.Total − Refunds.Total
	// CashExpected is the cash the day's sales left in the drawer: cash
	// taken less cash refunded (the opening float not included).
	CashExpected          pos.Money
	FirstOrder, LastOrder string // "" when the day had no orders
}

// StatusTally is the orders of one status.
type StatusTally struct {
	Status pos.OrderStatus
	pos.Tally
}

// ChannelTally is the paid orders of one channel.
type ChannelTally struct {
	Channel payments.Channel
	pos.Tally
}

// Name implements Document.
func (z ZReport) Name(l Lang) string {
	if l == Chinese {
		return z.Day + "的日结报表"
	}
	return "the Z report of " + z.Day
}

// Again implements Document: a Z report prints the same again.
func (z ZReport) Again() Document { return z }

// Render implements Document.
func (z ZReport) Render(w Width) ([]byte, error) {
	p := newPage(w, z.Lang)
	p.heading(z.Shop, p.lang.word("z_title"))
	p.pair(p.lang.word("day"), z.Day)
	p.pair(p.lang.word("printed"), stamp(z.PrintedAt))
	p.pair(p.lang.word("orders"), fmt.Sprint(z.Orders))
	p.rule()
	p.Line(p.lang.word("by_status"))
	for _, s := range z.ByStatus {
		p.pair("  "+p.lang.word("st."+string(s.Status)), tally(s.Tally))
	}
	p.rule()
	p.Line(p.lang.word("by_channel"))
	for _, c := range z.Channels {
		p.pair("  "+p.lang.channelName(c.Channel), tally(c.Tally))
	}
	p.rule()
	p.pair(p.lang.word("paid"), tally(z.Paid))
	p.pair(p.lang.word("refunds"), tally(pos.Tally{Count: z.Refunds.Count, Total: -z.Refunds.Total}))
	if z.DoublePaid.Count > 0 {
		p.pair(p.lang.word("double_paid"), tally(z.DoublePaid))
	}
	p.Bold(true)
	p.pair(p.lang.word("net"), yuan(z.Net))
	p.pair(p.lang.word("cash_drawer"), yuan(z.CashExpected))
	p.Bold(false)
	p.rule()
	p.pair(p.lang.word("first_order"), orWord(z.FirstOrder, p.lang))
	p.pair(p.lang.word("last_order"), orWord(z.LastOrder, p.lang))
	return p.end()
}

// tally formats a count and a sum in two right-aligned columns, so the
// rows of a section line up: "   3       25.00".
func tally(t pos.Tally) string {
	return PadLeft(fmt.Sprint(t.Count), tallyCountCells) + PadLeft(money(t.Total), tallyTotalCells)
}

// Columns of a tally.
const (
	tallyCountCells = 5
	tallyTotalCells = 13
)

func orWord(s string, l Lang) string {
	if s == "" {
		return l.word("none")
	}
	return s
}
