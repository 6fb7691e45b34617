package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"qrtill/payments"
	"qrtill/pos"
)

// receiptScreen shows a paid order until the next sale: the daily number,
// the lines, the total, how it was paid and, for cash, the change due in
// big digits. The next customer's first scan starts the next sale.
type receiptScreen struct {
	c *common
	frame
	order   pos.Order
	job     int  // the last print job of this receipt
	printed bool // … and it printed: F9 prints a copy
}

func newReceiptScreen(c *common) *receiptScreen { return &receiptScreen{c: c} }

// Init does nothing: the screen starts when an order is opened on it.
func (r *receiptScreen) Init() tea.Cmd { return nil }

// open shows a paid order. fresh (paid just now) prints the receipt when
// receipts print by themselves, else opens the cash drawer for cash.
func (r *receiptScreen) open(o pos.Order, fresh bool) {
	r.order, r.job, r.printed = o, 0, !fresh // an old sale's receipt printed when it was paid
	if fresh && r.c.bell != nil {
		r.c.bell() // once: PAID is news
	}
	p := r.c.printer
	switch {
	case !fresh || p == nil:
	case p.Auto():
		r.job = r.c.print(func() (int, error) { return p.Receipt(o, r.c.lang, false) })
	case o.Channel == payments.Cash:
		r.c.print(p.OpenDrawer)
	}
}

// ShortHelp is the help bar.
func (r *receiptScreen) ShortHelp() []key.Binding {
	g, k := r.c.keys.Global, r.c.keys.Receipt
	return []key.Binding{k.Next, enabledIf(k.Print, r.c.printer != nil), g.Help, g.Quit}
}

// FullHelp is every key of the receipt screen.
func (r *receiptScreen) FullHelp() [][]key.Binding {
	s, k := r.c.keys.Sale, r.c.keys.Receipt
	return [][]key.Binding{{k.Next, enabledIf(k.Print, r.c.printer != nil)}, {s.Orders, r.c.keys.reportHelp(s.Report)}}
}

// Update starts the next sale on Enter or on the next customer's first
// key (a scan, a name), which the sale screen then gets; F9 prints the
// receipt (again); F2 and F3 open the order book.
func (r *receiptScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(printedMsg); ok && m.outcome.Job == r.job && m.outcome.OK {
		r.printed = true
	}
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case key.Matches(k, r.c.keys.Receipt.Next):
		r.c.post(nextSaleMsg{})
	case key.Matches(k, r.c.keys.Receipt.Print):
		r.reprint()
	case key.Matches(k, r.c.keys.Sale.Orders):
		r.c.post(openOrdersMsg{fresh: true})
	case key.Matches(k, r.c.keys.Sale.Report):
		r.c.post(openReportMsg{fresh: true})
	case k.Type == tea.KeyRunes:
		r.c.post(nextSaleMsg{}, replayKeysMsg{keys: []tea.KeyMsg{k}})
	}
	return r, nil
}

// reprint is F9: the receipt again — as it was, when it never printed
// (a cash sale's drawer still opens), or marked as a copy.
func (r *receiptScreen) reprint() {
	p := r.c.printer
	if p == nil {
		return
	}
	copy := r.printed
	r.job = r.c.print(func() (int, error) { return p.Receipt(r.order, r.c.lang, copy) })
}

// View draws the receipt: PAID across the width with the amount and
// channel, the daily number large, the lines, and how it was paid.
func (r *receiptScreen) View() string {
	o, st, c := r.order, r.c.styles, r.c
	var b strings.Builder
	b.WriteString(r.banner() + "\n")
	if o.DailyNo > 0 {
		b.WriteString(st.Muted.Render(c.t("daily")) + "\n" + st.Big.Render(bigText(fmt.Sprint(o.DailyNo))) + "\n")
	}
	b.WriteString(st.Title.Render(c.t("receipt")) + "  " + st.Muted.Render(c.who.shop+" · "+c.t("order")+" "+o.Number) + "\n")
	cols := receiptColumns(r.width)
	for _, l := range o.Lines {
		b.WriteString(tableRow(cols, lineName(c.lang, l), fmt.Sprintf("%d ×", l.Quantity), l.UnitPrice.String(), l.Total.String()) + "\n")
	}
	b.WriteString(st.Total.Render(fmt.Sprintf("%s  %s", c.t("total"), o.Total)) + "\n")
	b.WriteString(r.viewPayment())
	return b.String() + c.t("nextsale")
}

// banner is PAID, the amount and the channel across the whole width.
func (r *receiptScreen) banner() string {
	c, o := r.c, r.order
	text := fmt.Sprintf(" %s %s  %s · %s ", stateSymbols[statePaid], c.t("st.paid"), o.Total, channelName(c.lang, o.Channel))
	w := r.width
	if w <= 0 {
		w = lipgloss.Width(text)
	}
	return c.styles.Banner.Render(fitCell(text, column{width: w}))
}

// receiptColumns are the receipt's line columns for a width.
func receiptColumns(width int) []column {
	if width <= 0 {
		width = 80
	}
	return flexColumns(min(width, 72), 12, []column{{width: -1}, {width: 5, right: true}, {width: 9, right: true}, {width: 10, right: true}})
}

// viewPayment is how the order was paid: the channel, trade number and
// time, or the cash given and the change due, large.
func (r *receiptScreen) viewPayment() string {
	o, c := r.order, r.c
	if given, change, ok := o.Cash(); ok {
		s := fmt.Sprintf("%s  %s\n%s  %s\n", c.t("paidby"), c.t("ch.cash"), c.t("cash.given"), given)
		return s + c.styles.Paid.Render(c.t("cash.change")+"  "+change.String()) + "\n" + c.styles.Paid.Render(bigText(change.String())) + "\n"
	}
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy {
			return fmt.Sprintf("%s  %s · %s %s\n%s  %s\n", c.t("paidby"), channelName(c.lang, a.Channel),
				c.t("tradeno"), a.ProviderTradeNo, c.t("paidat"), a.PaidAt.In(c.now().Location()).Format("2006-01-02 15:04:05"))
		}
	}
	return ""
}
