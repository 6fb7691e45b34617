package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// receiptScreen shows a paid order until the next sale.
type receiptScreen struct {
	c *common
	frame
	order pos.Order
}

func newReceiptScreen(c *common) *receiptScreen { return &receiptScreen{c: c} }

// Init does nothing: the screen starts when an order is opened on it.
func (r *receiptScreen) Init() tea.Cmd { return nil }

// open shows a paid order.
func (r *receiptScreen) open(o pos.Order) { r.order = o }

// ShortHelp is the help bar.
func (r *receiptScreen) ShortHelp() []key.Binding {
	g := r.c.keys.Global
	return []key.Binding{r.c.keys.Receipt.Next, g.Help, g.Quit}
}

// FullHelp is every key of the receipt screen.
func (r *receiptScreen) FullHelp() [][]key.Binding {
	s := r.c.keys.Sale
	return [][]key.Binding{{r.c.keys.Receipt.Next}, {s.Orders, s.Report}}
}

// Update starts the next sale on Enter; F2 and F3 open the order book.
func (r *receiptScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case key.Matches(k, r.c.keys.Receipt.Next):
		r.c.post(nextSaleMsg{})
	case key.Matches(k, r.c.keys.Sale.Orders):
		r.c.post(openOrdersMsg{fresh: true})
	case key.Matches(k, r.c.keys.Sale.Report):
		r.c.post(openReportMsg{fresh: true})
	}
	return r, nil
}

// View draws the receipt.
func (r *receiptScreen) View() string {
	o, st, c := r.order, r.c.styles, r.c
	var b strings.Builder
	b.WriteString(st.Paid.Render(c.t("st.paid")) + "  " + st.Title.Render(c.t("receipt")) + "\n")
	b.WriteString(c.who.shop + "\n")
	b.WriteString(c.t("order") + " " + o.Number + "\n\n")
	for _, l := range o.Lines {
		b.WriteString(fmt.Sprintf("%s %3d × %8s %10s\n", padRight(lineName(c.lang, l), 30), l.Quantity, l.UnitPrice, l.Total))
	}
	b.WriteString("\n" + st.Total.Render(fmt.Sprintf("%s  %s", c.t("total"), o.Total)) + "\n")
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy {
			b.WriteString(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s\n", c.t("paidby"), channelName(c.lang, a.Channel),
				c.t("tradeno"), a.ProviderTradeNo, c.t("paidat"), a.PaidAt.In(c.now().Location()).Format("2006-01-02 15:04:05")))
		}
	}
	return b.String() + "\n" + c.t("nextsale")
}
