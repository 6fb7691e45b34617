package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// Navigation: a screen posts one of these (common.post) and the root
// switches screens. Screens never reach into the root or each other.
type (
	// nextSaleMsg starts a new sale: empty basket, empty scan line.
	nextSaleMsg struct{}
	// backToSaleMsg returns to the sale as it was (from the order book,
	// or after the start-up reconcile).
	backToSaleMsg struct{}
	// openPayMsg opens the pay screen on an order; autoPay starts the
	// only configured channel at once (a fresh checkout).
	openPayMsg struct {
		order   pos.Order
		autoPay bool
	}
	// openReceiptMsg shows a paid order's receipt.
	openReceiptMsg struct{ order pos.Order }
	// openOrdersMsg opens the orders list; fresh starts over (from the
	// sale or receipt) rather than coming back from the day report.
	openOrdersMsg struct{ fresh bool }
	// openReportMsg opens the day report; fresh as for openOrdersMsg.
	openReportMsg struct{ fresh bool }
)

// navigate switches to the screen a navigation message names; ok is false
// for any other message.
func (m *Model) navigate(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case nextSaleMsg:
		m.active = m.sale
		return m.sale.reset(), true
	case backToSaleMsg:
		m.active = m.sale
		return m.sale.resume(), true
	case openPayMsg:
		m.active = m.pay
		return m.pay.open(msg.order, msg.autoPay), true
	case openReceiptMsg:
		m.active = m.receipt
		m.receipt.open(msg.order)
		return nil, true
	case openOrdersMsg:
		m.active = m.orders
		return m.orders.open(msg.fresh), true
	case openReportMsg:
		if !m.c.who.manager {
			return nil, true // a cashier never sees the day report
		}
		m.active = m.report
		return m.report.open(msg.fresh), true
	}
	return nil, false
}
