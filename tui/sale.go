package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"qrtill/pos"
)

// maxMatches is how many search matches the sale screen lists.
const maxMatches = 5

// saleHelp is the sale screen's help bar: only keys that do something now.
func (m *Model) saleHelp() []key.Binding {
	k := m.keys
	typed, lines := m.input.Value() != "", m.basket.Len() > 0
	on := func(b key.Binding, enabled bool) key.Binding { b.SetEnabled(enabled); return b }
	return []key.Binding{on(k.Add, typed), on(k.Up, lines && !typed), on(k.Plus, lines && !typed),
		on(k.Remove, lines && !typed), on(k.Checkout, lines), k.Orders, m.managerOnly(k.Report), k.Help, k.Quit}
}

// updateSale handles the sale screen. The scan line always has focus, so
// a barcode scanner (digits and Enter) works without a click. Keys that
// change the basket (+, -, Delete, ↑/↓) act on the basket only while the
// scan line is empty; with text in it, + and - are text. So a scanner
// burst always adds the product and never edits a quantity.
func (m *Model) updateSale(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case checkedOutMsg:
		if msg.err != nil {
			m.saleErr = Explain(m.lang, msg.err, "", 0)
			return nil
		}
		m.screen = screenPay
		m.pay = payState{order: msg.order, inverse: m.pay.inverse, started: m.opts.Till.Now()}
		if chs := m.opts.Till.Channels(); len(chs) == 1 {
			return m.startPay(chs[0])
		}
		return nil
	case tea.KeyMsg:
		empty := m.input.Value() == ""
		switch {
		case key.Matches(msg, m.keys.Checkout):
			if m.basket.Len() == 0 {
				m.saleErr = T(m.lang, "e.empty")
				return nil
			}
			lines := m.basket.Lines()
			return func() tea.Msg {
				o, err := m.opts.Till.Checkout(context.Background(), lines, m.opts.Cashier, m.opts.Terminal)
				return checkedOutMsg{o, err}
			}
		case msg.Type == tea.KeyEnter:
			m.addTyped()
			return nil
		case empty && key.Matches(msg, m.keys.Up):
			if m.cursor > 0 {
				m.cursor--
			}
			return nil
		case empty && key.Matches(msg, m.keys.Down):
			if m.cursor < m.basket.Len()-1 {
				m.cursor++
			}
			return nil
		case empty && key.Matches(msg, m.keys.Plus):
			m.setErr(m.basket.Increment(m.cursor))
			return nil
		case empty && key.Matches(msg, m.keys.Minus):
			m.setErr(m.basket.Decrement(m.cursor))
			return nil
		case empty && key.Matches(msg, m.keys.Remove):
			if m.basket.Len() > 0 {
				m.setErr(m.basket.Remove(m.cursor))
				if m.cursor >= m.basket.Len() && m.cursor > 0 {
					m.cursor--
				}
			}
			return nil
		}
	}
	var cmd tea.Cmd
	before := m.input.Value()
	m.input, cmd = m.input.Update(msg)
	if v := m.input.Value(); v != before {
		m.matches = m.opts.Catalog.Search(v, maxMatches)
		m.saleErr = ""
	}
	return cmd
}

// addTyped adds the product whose code was typed, or the first search match.
func (m *Model) addTyped() {
	code := strings.TrimSpace(m.input.Value())
	if code == "" {
		return
	}
	i, err := m.basket.Add(code)
	if errors.Is(err, pos.ErrUnknownProduct) && len(m.matches) > 0 && !looksScanned(code) {
		i, err = m.basket.Add(m.matches[0].SKU)
	}
	if errors.Is(err, pos.ErrUnknownProduct) {
		m.saleErr = fmt.Sprintf(T(m.lang, "e.unknown"), code)
	} else {
		m.setErr(err)
	}
	if err == nil {
		m.cursor = i
	}
	m.input.SetValue("")
	m.matches = nil
}

// looksScanned reports whether a code is a scanner read (8 or more
// digits): such a code must match exactly, never by search, so a read cut
// short can never add a different product.
func looksScanned(code string) bool {
	if len(code) < 8 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (m *Model) setErr(err error) {
	m.saleErr = Explain(m.lang, err, "", 0)
}

func (m *Model) viewSale() string {
	var b strings.Builder
	b.WriteString(m.input.View() + "\n")
	for i, p := range m.matches {
		line := fmt.Sprintf("  %s  %s  %s", p.SKU, p.Name(string(m.lang)), p.Price)
		if i == 0 {
			line = m.styles.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	if m.saleErr != "" {
		b.WriteString(m.styles.Error.Render(m.saleErr) + "\n")
	}
	b.WriteString("\n")
	if m.basket.Len() == 0 {
		b.WriteString(m.styles.Muted.Render(T(m.lang, "basket.empty")))
		return b.String()
	}
	nameW := 28
	if m.width > 80 {
		nameW = m.width - 52
	}
	row := func(name, qty, price, total string) string {
		return fmt.Sprintf("%s %5s %10s %11s", padRight(name, nameW), qty, price, total)
	}
	b.WriteString(m.styles.Muted.Render(row(T(m.lang, "col.item"), T(m.lang, "col.qty"), T(m.lang, "col.price"), T(m.lang, "col.total"))) + "\n")
	for i, l := range m.basket.Lines() {
		name := l.NameEN
		if m.lang == Chinese {
			name = l.NameZH
		}
		r := row(name, fmt.Sprint(l.Quantity), l.UnitPrice.String(), l.Total.String())
		if i == m.cursor {
			r = m.styles.Selected.Render(r)
		}
		b.WriteString(r + "\n")
	}
	b.WriteString("\n" + m.styles.Total.Render(fmt.Sprintf("%s  %s", T(m.lang, "total"), m.basket.Total())))
	return b.String()
}

// padRight pads or cuts s to w cells (CJK counts two).
func padRight(s string, w int) string {
	for lipgloss.Width(s) > w {
		r := []rune(s)
		s = string(r[:len(r)-1])
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}
