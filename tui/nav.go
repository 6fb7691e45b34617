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
	// openReceiptMsg shows a paid order's receipt; fresh when it was paid
	// just now on this screen (the receipt prints, a cash drawer opens).
	openReceiptMsg struct {
		order pos.Order
		fresh bool
	}
	// backToBasketMsg takes a sale back from paying to its basket, to
	// edit it; F12 checks the edited basket out as the same order.
	backToBasketMsg struct{ order pos.Order }
	// replayKeysMsg gives keys that arrived on another screen to the
	// screen just switched to (the next customer's first scan).
	replayKeysMsg struct{ keys []tea.KeyMsg }
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
	case backToBasketMsg:
		m.active = m.sale
		return m.sale.edit(msg.order), true
	case replayKeysMsg:
		var cmds []tea.Cmd
		for _, k := range msg.keys {
			cmds = append(cmds, m.forward(k))
		}
		return tea.Batch(cmds...), true
	case openPayMsg:
		m.active = m.pay
		return m.pay.open(msg.order, msg.autoPay), true
	case openReceiptMsg:
		m.active = m.receipt
		m.receipt.open(msg.order, msg.fresh)
		return nil, true
	case openOrdersMsg:
		m.active = m.orders
		return m.orders.open(msg.fresh), true
	case openReportMsg:
		switch {
		case m.c.manager():
		case m.c.askPIN:
			return m.pin.ask(msg), true
		default: // a cashier never sees the day report
			m.c.flash = m.c.t("e.reportmgr")
			return nil, true
		}
		m.active = m.report
		return m.report.open(msg.fresh), true
	}
	return nil, false
}
