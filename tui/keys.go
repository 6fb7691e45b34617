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
	Cash      CashKeys
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
	// CancelSale gives up a sale taken back from paying (Esc on an empty
	// scan line).
	CancelSale key.Binding
}

// PayKeys are the pay screen's keys. 1, 2 and 3 act only when pressed
// alone; Code is a scanned payment code (digits and Enter).
type PayKeys struct {
	Alipay, WeChat, Cash, Code, Back, Invert, Next key.Binding
	CashGiven                                      key.Binding
	Notes                                          key.Binding // the cash entry's quick notes, as help shows them
}

// CashKeys are the cash entry's: quick notes and back.
type CashKeys struct {
	Ten, Twenty, Fifty, Hundred, Back key.Binding
}

// ReceiptKeys are the receipt screen's keys.
type ReceiptKeys struct {
	Next, Print key.Binding
}

// OrdersKeys are the orders screen's keys.
type OrdersKeys struct {
	Up, Down, Open, PrevDay, NextDay, Filter key.Binding
	Refund, PayAgain, Report, Print, Back    key.Binding
}

// ReportKeys are the day report's keys; Orders goes back to the list.
type ReportKeys struct {
	PrevDay, NextDay, Orders, Print, Back key.Binding
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
	up.SetHelp("↑/↓", T(lang, "k.move"))
	prev, next := b("k.prevday", "["), b("k.nextday", "]")
	print := b("k.print", "f9")
	return KeyMap{
		Global: GlobalKeys{Help: helped(b("k.help", "f1", "?"), "f1/?"), Quit: b("k.quit", "ctrl+c")},
		Sale: SaleKeys{Add: b("k.add", "enter"), Up: up, Down: down, Plus: helped(b("k.qty", "+"), "+/-"), Minus: b("k.qty", "-"),
			Remove: b("k.remove", "delete"), Checkout: helped(b("k.pay", "f12", "ctrl+p"), "f12/ctrl+p"),
			Orders: b("k.orders", "f2"), Report: b("k.report", "f3"), CancelSale: b("k.cancelsale", "esc")},
		Pay: PayKeys{Alipay: b("k.alipay", "1"), WeChat: b("k.wechat", "2"), Cash: b("k.cash", "3"),
			Code:  key.NewBinding(key.WithKeys("enter"), key.WithHelp(T(lang, "k.scan"), T(lang, "k.code"))),
			Notes: key.NewBinding(key.WithKeys("f5", "f6", "f7", "f8"), key.WithHelp("f5–f8", "¥10 ¥20 ¥50 ¥100")),
			Back:  b("k.basket", "esc"), Invert: b("k.invert", "i"), Next: b("k.next", "enter"),
			CashGiven: b("k.cashgiven", "enter")},
		Cash: CashKeys{Ten: b("k.note", "f5"), Twenty: b("k.note", "f6"), Fifty: b("k.note", "f7"), Hundred: b("k.note", "f8"),
			Back: b("k.back", "esc")},
		Receipt: ReceiptKeys{Next: b("k.next", "enter"), Print: print},
		Orders: OrdersKeys{Up: up, Down: down, Open: b("k.open", "enter"), PrevDay: prev, NextDay: next,
			Filter: b("k.filter", "/"), Refund: b("k.refund", "r"), PayAgain: b("k.payagain", "p"),
			Report: b("k.report", "f3"), Print: print, Back: back},
		Report:    ReportKeys{PrevDay: prev, NextDay: next, Orders: b("k.orders", "f3"), Print: print, Back: back},
		Reconcile: ReconcileKeys{Continue: key.NewBinding(key.WithKeys("enter"))}, // worded on the screen itself
	}
}

// ForRole records whether manager steps are offered (to a manager, or to
// a cashier who can give the PIN): the help bars show the day report and
// refunds only then. The keys stay live, so a cashier's F3 or r is
// answered with a sentence rather than dropped.
func (k KeyMap) ForRole(manager bool) KeyMap {
	k.manager = manager
	return k
}

// reportHelp is the day report key as help shows it: only when offered.
func (k KeyMap) reportHelp(b key.Binding) key.Binding { return enabledIf(b, k.manager) }

// FullHelp is every key of the till grouped by screen, for the help
// screen: the sale, pay, receipt and order book keys, then the global ones.
func (k KeyMap) FullHelp() [][]key.Binding {
	s, p, o := k.Sale, k.Pay, k.Orders
	return [][]key.Binding{
		{s.Add, s.Up, s.Plus, s.Remove, s.Checkout, s.CancelSale},
		{p.Alipay, p.WeChat, p.Cash, p.Notes, p.Code, p.Back, p.Invert},
		{k.Receipt.Next, k.Receipt.Print},
		{s.Orders, o.Open, o.PrevDay, o.NextDay, o.Filter, k.refundHelp(), o.PayAgain, k.reportHelp(s.Report), o.Print, o.Back},
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

// helped is b with its help showing keys (e.g. "+/-" for + and -).
func helped(b key.Binding, keys string) key.Binding {
	b.SetHelp(keys, b.Help().Desc)
	return b
}
