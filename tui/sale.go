package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// maxMatches is how many search matches the sale screen lists.
const maxMatches = 5

// saleScreen rings up a basket. The scan line always has focus, so a
// barcode scanner (digits and Enter) works without a click. Keys that
// change the basket (+, -, Delete, ↑/↓) act on the basket only while the
// scan line is empty; with text in it, + and - are text. So a scanner
// burst always adds the product and never edits a quantity.
type saleScreen struct {
	c *common
	frame
	input    textinput.Model
	basket   *pos.Basket
	cursor   int           // the selected basket line
	matches  []pos.Product // search matches for the scan line's text
	errText  string
	checkout request // the Checkout call; while it runs, keys wait
}

// checkedOutMsg is the till's answer to the sale screen's Checkout.
type checkedOutMsg struct {
	id    uint64
	order pos.Order
	err   error
}

func newSaleScreen(c *common) *saleScreen {
	in := textinput.New()
	in.Placeholder = c.t("scan")
	in.Prompt = "▶ "
	in.CharLimit = 64
	in.PlaceholderStyle = c.styles.Placeholder
	in.Cursor.Style = c.styles.Cursor
	in.Focus()
	return &saleScreen{c: c, input: in, basket: pos.NewBasket(c.catalog)}
}

// Init starts the scan line's cursor.
func (s *saleScreen) Init() tea.Cmd { return textinput.Blink }

// reset starts a new sale: empty basket, empty scan line, no checkout
// awaited (a late answer for the last sale is dropped).
func (s *saleScreen) reset() tea.Cmd {
	s.basket.Clear()
	s.cursor, s.matches, s.errText, s.checkout = 0, nil, "", request{}
	s.input.SetValue("")
	return s.input.Focus()
}

// resume comes back to the sale as it was.
func (s *saleScreen) resume() tea.Cmd { return s.input.Focus() }

// typing reports whether the scan line holds text (then ? is text).
func (s *saleScreen) typing() bool { return s.input.Value() != "" }

// ShortHelp is the help bar: only keys that do something now.
func (s *saleScreen) ShortHelp() []key.Binding {
	k, g := s.c.keys.Sale, s.c.keys.Global
	typed, lines := s.typing(), s.basket.Len() > 0
	return []key.Binding{enabledIf(k.Add, typed), enabledIf(k.Up, lines && !typed), enabledIf(k.Plus, lines && !typed),
		enabledIf(k.Remove, lines && !typed), enabledIf(k.Checkout, lines), k.Orders, k.Report, g.Help, g.Quit}
}

// FullHelp is every key of the sale screen.
func (s *saleScreen) FullHelp() [][]key.Binding {
	k := s.c.keys.Sale
	return [][]key.Binding{{k.Add, k.Up, k.Down, k.Plus, k.Minus, k.Remove, k.Checkout}, {k.Orders, k.Report}}
}

// Update handles the sale screen's keys and its checkout answer.
func (s *saleScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case checkedOutMsg:
		s.checkedOut(msg)
		return s, nil
	case tea.KeyMsg:
		if s.checkout.busy() {
			// One checkout at a time: a second F12 does nothing, and the
			// basket stays as it was sent until the till answers.
			return s, nil
		}
		if cmd, done := s.key(msg); done {
			return s, cmd
		}
	}
	var cmd tea.Cmd
	before := s.input.Value()
	s.input, cmd = s.input.Update(msg)
	if v := s.input.Value(); v != before {
		s.matches = s.c.catalog.Search(v, maxMatches)
		s.errText = ""
	}
	return s, cmd
}

// key acts on a key that is not text; done is false for text.
func (s *saleScreen) key(msg tea.KeyMsg) (cmd tea.Cmd, done bool) {
	k := s.c.keys.Sale
	empty := !s.typing()
	switch {
	case key.Matches(msg, k.Checkout):
		return s.startCheckout(), true
	case msg.Type == tea.KeyEnter:
		s.addTyped()
	case empty && key.Matches(msg, k.Orders):
		s.c.post(openOrdersMsg{fresh: true})
	case empty && key.Matches(msg, k.Report):
		s.c.post(openReportMsg{fresh: true})
	case empty && key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case empty && key.Matches(msg, k.Down):
		s.cursor = max(min(s.cursor+1, s.basket.Len()-1), 0)
	case empty && key.Matches(msg, k.Plus):
		s.setErr(s.basket.Increment(s.cursor))
	case empty && key.Matches(msg, k.Minus):
		s.setErr(s.basket.Decrement(s.cursor))
	case empty && key.Matches(msg, k.Remove):
		s.remove()
	default:
		return nil, false
	}
	return nil, true
}

// startCheckout asks the till for an order for the basket.
func (s *saleScreen) startCheckout() tea.Cmd {
	if s.basket.Len() == 0 {
		s.errText = s.c.t("e.empty")
		return nil
	}
	lines, c := s.basket.Lines(), s.c
	id := s.checkout.start(c)
	return func() tea.Msg {
		o, err := c.till.Checkout(c.ctx, lines, c.who.cashier, c.who.terminal)
		return checkedOutMsg{id, o, err}
	}
}

// checkedOut opens the pay screen on the new order.
func (s *saleScreen) checkedOut(msg checkedOutMsg) {
	if !s.checkout.answered(msg.id) {
		return
	}
	if msg.err != nil {
		s.errText = s.c.fail("checkout", msg.err, "")
		return
	}
	s.c.post(openPayMsg{order: msg.order, autoPay: true})
}

func (s *saleScreen) remove() {
	if s.basket.Len() == 0 {
		return
	}
	s.setErr(s.basket.Remove(s.cursor))
	if s.cursor >= s.basket.Len() && s.cursor > 0 {
		s.cursor--
	}
}

// addTyped adds the product whose code was typed, or the first search match.
func (s *saleScreen) addTyped() {
	code := strings.TrimSpace(s.input.Value())
	if code == "" {
		return
	}
	i, err := s.basket.Add(code)
	if errors.Is(err, pos.ErrUnknownProduct) && len(s.matches) > 0 && !looksScanned(code) {
		i, err = s.basket.Add(s.matches[0].SKU)
	}
	if errors.Is(err, pos.ErrUnknownProduct) {
		s.errText = fmt.Sprintf(s.c.t("e.unknown"), code)
	} else {
		s.setErr(err)
	}
	if err == nil {
		s.cursor = i
	}
	s.input.SetValue("")
	s.matches = nil
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

func (s *saleScreen) setErr(err error) {
	s.errText = Explain(s.c.lang, err, "", 0)
}

// View draws the scan line, its matches, and the basket.
func (s *saleScreen) View() string {
	st := s.c.styles
	var b strings.Builder
	b.WriteString(s.input.View() + "\n")
	for i, p := range s.matches {
		line := fmt.Sprintf("  %s  %s  %s", p.SKU, p.Name(string(s.c.lang)), p.Price)
		if i == 0 {
			line = st.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	if s.errText != "" {
		b.WriteString(st.Error.Render(s.errText) + "\n")
	}
	b.WriteString("\n")
	if s.basket.Len() == 0 {
		b.WriteString(st.Muted.Render(s.c.t("basket.empty")))
		return b.String()
	}
	b.WriteString(s.viewBasket())
	return b.String()
}

// viewBasket draws the basket's lines and total.
func (s *saleScreen) viewBasket() string {
	st := s.c.styles
	nameW := 28
	if s.width > 80 {
		nameW = s.width - 52
	}
	row := func(name, qty, price, total string) string {
		return fmt.Sprintf("%s %5s %10s %11s", padRight(name, nameW), qty, price, total)
	}
	var b strings.Builder
	b.WriteString(st.Muted.Render(row(s.c.t("col.item"), s.c.t("col.qty"), s.c.t("col.price"), s.c.t("col.total"))) + "\n")
	for i, l := range s.basket.Lines() {
		r := row(lineName(s.c.lang, l), fmt.Sprint(l.Quantity), l.UnitPrice.String(), l.Total.String())
		if i == s.cursor {
			r = st.Selected.Render(r)
		}
		b.WriteString(r + "\n")
	}
	b.WriteString("\n" + st.Total.Render(fmt.Sprintf("%s  %s", s.c.t("total"), s.basket.Total())))
	return b.String()
}
