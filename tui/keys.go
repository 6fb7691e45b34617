package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the till answers, in one place (DESIGN.md "Keys").
type KeyMap struct {
	Add, Up, Down, Plus, Minus, Remove, Checkout key.Binding
	Alipay, WeChat, Cancel, Invert               key.Binding
	Next, Help, Quit                             key.Binding
	Orders, Report, Open, Refund, PayAgain       key.Binding
	PrevDay, NextDay, Back, Filter               key.Binding
}

// DefaultKeyMap returns the key map with help text in a language.
func DefaultKeyMap(lang Lang) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], T(lang, help)))
	}
	return KeyMap{
		Add:      b("k.add", "enter"),
		Up:       b("k.move", "up"),
		Down:     b("k.move", "down"),
		Plus:     b("k.qty", "+"),
		Minus:    b("k.qty", "-"),
		Remove:   b("k.remove", "delete"),
		Checkout: b("k.pay", "f12", "ctrl+p"),
		Alipay:   b("k.alipay", "1"),
		WeChat:   b("k.wechat", "2"),
		Cancel:   b("k.cancel", "esc"),
		Invert:   b("k.invert", "i"),
		Next:     b("k.next", "enter"),
		Help:     b("k.help", "f1", "?"),
		Quit:     b("k.quit", "ctrl+c"),
		Orders:   b("k.orders", "f2"),
		Report:   b("k.report", "f3"),
		Open:     b("k.open", "enter"),
		Refund:   b("k.refund", "r"),
		PayAgain: b("k.payagain", "p"),
		PrevDay:  b("k.prevday", "["),
		NextDay:  b("k.nextday", "]"),
		Back:     b("k.back", "esc"),
		Filter:   b("k.filter", "/"),
	}
}
