package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the till answers, in one place (DESIGN.md "Keys in
// the till"), grouped by the screen that answers it. A key may mean
// different things on different screens (Enter adds on the sale screen,
// starts the next sale on the receipt); each screen matches only its own
// group and the global keys.
type KeyMap struct {
	Global    GlobalKeys
	Sale      SaleKeys
	Pay       PayKeys
	Receipt   ReceiptKeys
	Orders    OrdersKeys
	Report    ReportKeys
	Reconcile ReconcileKeys

	manager bool // set by ForRole
}

// GlobalKeys are answered by the root on every screen.
type GlobalKeys struct {
	Help, Quit key.Binding
}

// SaleKeys are the sale screen's keys. Orders and Report open the order
// book from the sale (and receipt) screen.
type SaleKeys struct {
	Add, Up, Down, Plus, Minus, Remove, Checkout key.Binding
	Orders, Report                               key.Binding
}

// PayKeys are the pay screen's keys.
type PayKeys struct {
	Alipay, WeChat, Cancel, Invert, Next key.Binding
}

// ReceiptKeys are the receipt screen's keys.
type ReceiptKeys struct {
	Next key.Binding
}

// OrdersKeys are the orders screen's keys.
type OrdersKeys struct {
	Up, Down, Open, PrevDay, NextDay, Filter key.Binding
	Refund, PayAgain, Report, Back           key.Binding
}

// ReportKeys are the day report's keys; Orders goes back to the list.
type ReportKeys struct {
	PrevDay, NextDay, Orders, Back key.Binding
}

// ReconcileKeys are the start-up reconcile screen's keys.
type ReconcileKeys struct {
	Continue key.Binding
}

// DefaultKeyMap returns the key map with help text in a language.
func DefaultKeyMap(lang Lang) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], T(lang, help)))
	}
	up, down, back := b("k.move", "up"), b("k.move", "down"), b("k.back", "esc")
	prev, next := b("k.prevday", "["), b("k.nextday", "]")
	return KeyMap{
		Global: GlobalKeys{Help: b("k.help", "f1", "?"), Quit: b("k.quit", "ctrl+c")},
		Sale: SaleKeys{Add: b("k.add", "enter"), Up: up, Down: down, Plus: b("k.qty", "+"), Minus: b("k.qty", "-"),
			Remove: b("k.remove", "delete"), Checkout: b("k.pay", "f12", "ctrl+p"),
			Orders: b("k.orders", "f2"), Report: b("k.report", "f3")},
		Pay: PayKeys{Alipay: b("k.alipay", "1"), WeChat: b("k.wechat", "2"), Cancel: b("k.cancel", "esc"),
			Invert: b("k.invert", "i"), Next: b("k.next", "enter")},
		Receipt: ReceiptKeys{Next: b("k.next", "enter")},
		Orders: OrdersKeys{Up: up, Down: down, Open: b("k.open", "enter"), PrevDay: prev, NextDay: next,
			Filter: b("k.filter", "/"), Refund: b("k.refund", "r"), PayAgain: b("k.payagain", "p"),
			Report: b("k.report", "f3"), Back: back},
		Report:    ReportKeys{PrevDay: prev, NextDay: next, Orders: b("k.orders", "f3"), Back: back},
		Reconcile: ReconcileKeys{Continue: key.NewBinding(key.WithKeys("enter"))}, // worded on the screen itself
	}
}

// ForRole disables the day report for a cashier, so neither the key nor
// the help bar offers it. Refund stays enabled so a cashier's r is
// answered with a sentence; the orders screen refuses it and its help bar
// hides it.
func (k KeyMap) ForRole(manager bool) KeyMap {
	k.manager = manager
	k.Sale.Report.SetEnabled(manager)
	k.Orders.Report.SetEnabled(manager)
	return k
}

// FullHelp is every key of the till grouped by screen, for the help
// screen: the sale, pay, receipt and order book keys, then the global ones.
func (k KeyMap) FullHelp() [][]key.Binding {
	s, p, o := k.Sale, k.Pay, k.Orders
	return [][]key.Binding{
		{s.Add, s.Up, s.Plus, s.Minus, s.Remove, s.Checkout},
		{p.Alipay, p.WeChat, p.Cancel, p.Invert},
		{k.Receipt.Next},
		{s.Orders, o.Open, o.PrevDay, o.NextDay, o.Filter, k.refundHelp(), o.PayAgain, s.Report, o.Back},
		{k.Global.Help, k.Global.Quit},
	}
}

// refundHelp is the refund key as help shows it: only to a manager.
func (k KeyMap) refundHelp() key.Binding { return enabledIf(k.Orders.Refund, k.manager) }

// enabledIf returns a copy of b, enabled only when cond holds: the help
// bar shows only keys that do something now.
func enabledIf(b key.Binding, cond bool) key.Binding {
	b.SetEnabled(b.Enabled() && cond)
	return b
}
