package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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
	pick     int           // the highlighted match
	errText  string
	checkout request   // the Checkout (or Amend) call; while it runs, keys wait
	cancel   request   // giving up an edited sale
	editing  pos.Order // the order taken back from paying; Number "" for a new sale
}

// checkedOutMsg is the till's answer to the sale screen's Checkout.
type checkedOutMsg struct {
	id    uint64
	order pos.Order
	err   error
}

func newSaleScreen(c *common) *saleScreen {
	in := newInput(c)
	in.Placeholder = c.t("scan")
	in.Prompt = "▶ "
	in.CharLimit = 64
	in.PlaceholderStyle = c.styles.Placeholder
	in.Cursor.Style = c.styles.Cursor
	in.Focus()
	return &saleScreen{c: c, input: in, basket: pos.NewBasket(c.catalog)}
}

// Init starts the scan line's cursor.
func (s *saleScreen) Init() tea.Cmd { return nil }

// reset starts a new sale: empty basket, empty scan line, no checkout
// awaited (a late answer for the last sale is dropped).
func (s *saleScreen) reset() tea.Cmd {
	s.basket.Clear()
	s.cursor, s.matches, s.pick, s.errText, s.checkout, s.cancel, s.editing = 0, nil, 0, "", request{}, request{}, pos.Order{}
	s.c.elevated = false // a manager's PIN lasts until the next sale
	s.input.SetValue("")
	return s.input.Focus()
}

// edit brings a sale back from paying: its basket, to change; F12 checks
// it out again as the same order (same number and daily number).
func (s *saleScreen) edit(o pos.Order) tea.Cmd {
	cmd := s.reset()
	s.basket.Restore(o.Lines)
	s.editing = o
	return cmd
}

// resume comes back to the sale as it was.
func (s *saleScreen) resume() tea.Cmd { return s.input.Focus() }

// typing reports whether the scan line holds text (then ? is text).
func (s *saleScreen) typing() bool { return s.input.Value() != "" }

// ShortHelp is the help bar: only keys that do something now.
func (s *saleScreen) ShortHelp() []key.Binding {
	k, g := s.c.keys.Sale, s.c.keys.Global
	typed, lines := s.typing(), s.basket.Len() > 0
	return []key.Binding{enabledIf(k.Add, typed), enabledIf(k.Up, (lines && !typed) || len(s.matches) > 1),
		enabledIf(k.Plus, lines && !typed), enabledIf(k.Remove, lines && !typed), enabledIf(k.Checkout, lines),
		enabledIf(k.CancelSale, s.editing.Number != "" && !typed), k.Orders, enabledIf(k.Report, s.c.mayManage()), g.Help, g.Quit}
}

// FullHelp is every key of the sale screen.
func (s *saleScreen) FullHelp() [][]key.Binding {
	k := s.c.keys.Sale
	return [][]key.Binding{{k.Add, k.Up, k.Down, k.Plus, k.Minus, k.Remove, k.Checkout, k.CancelSale},
		{k.Orders, s.c.keys.reportHelp(k.Report)}}
}

// Update handles the sale screen's keys and its checkout answer.
func (s *saleScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case checkedOutMsg:
		s.checkedOut(msg)
		return s, nil
	case saleCancelledMsg:
		return s, s.cancelled(msg)
	case tea.KeyMsg:
		if s.checkout.busy() || s.cancel.busy() {
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
		_, name, _ := pos.ParseQuantityPrefix(v) // "3*tea" searches for tea
		s.matches, s.pick = s.c.catalog.Search(name, maxMatches), 0
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
	case !empty && len(s.matches) > 0 && key.Matches(msg, k.Up):
		s.pick = max(s.pick-1, 0)
	case !empty && len(s.matches) > 0 && key.Matches(msg, k.Down):
		s.pick = min(s.pick+1, len(s.matches)-1)
	case empty && key.Matches(msg, k.Orders):
		s.c.post(openOrdersMsg{fresh: true})
	case empty && key.Matches(msg, k.Report):
		s.c.post(openReportMsg{fresh: true})
	case empty && s.editing.Number != "" && key.Matches(msg, k.CancelSale):
		return s.startCancel(), true
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
	lines, c, number := s.basket.Lines(), s.c, s.editing.Number
	id := s.checkout.start(c)
	return func() tea.Msg {
		if number != "" { // the same order, edited
			o, err := c.till.Amend(c.ctx, number, lines)
			return checkedOutMsg{id, o, err}
		}
		o, err := c.till.Checkout(c.ctx, lines, c.who.cashier, c.who.terminal)
		return checkedOutMsg{id, o, err}
	}
}

// saleCancelledMsg is the till's answer to giving up an edited sale.
type saleCancelledMsg struct {
	id    uint64
	order pos.Order
	err   error
}

// startCancel gives up the sale taken back from paying: the order is
// cancelled (nothing of it can be paid) and a new sale starts.
func (s *saleScreen) startCancel() tea.Cmd {
	c, number, id := s.c, s.editing.Number, s.cancel.start(s.c)
	return func() tea.Msg {
		o, err := c.till.Cancel(c.ctx, number)
		return saleCancelledMsg{id, o, err}
	}
}

func (s *saleScreen) cancelled(msg saleCancelledMsg) tea.Cmd {
	if !s.cancel.answered(msg.id) {
		return nil
	}
	if msg.err != nil {
		s.errText = s.c.fail("cancel", msg.err, "")
		return nil
	}
	return s.reset()
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

// addTyped adds the product whose code was typed, or the highlighted
// search match; "3*" before it adds three.
func (s *saleScreen) addTyped() {
	typed := strings.TrimSpace(s.input.Value())
	if typed == "" {
		return
	}
	n, code, err := pos.ParseQuantityPrefix(typed)
	if err != nil {
		s.setErr(err) // nothing added; the text stays to be put right
		return
	}
	var i int
	searched := len(s.matches) > 0 && !looksScanned(code)
	if searched && s.pick > 0 { // the cashier picked a match
		i, err = s.basket.AddN(s.matches[s.pick].SKU, n)
	} else if i, err = s.basket.AddN(code, n); errors.Is(err, pos.ErrUnknownProduct) && searched {
		i, err = s.basket.AddN(s.matches[0].SKU, n)
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
	s.matches, s.pick = nil, 0
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

// View draws the scan line and its matches beside the total (in big
// digits), then the basket, scrolled to keep the selected line in view.
func (s *saleScreen) View() string {
	st := s.c.styles
	var top strings.Builder
	if o := s.editing; o.Number != "" {
		top.WriteString(st.Warn.Render(fmt.Sprintf("%s %s  %s %d", s.c.t("editing"), o.Number, s.c.t("daily"), o.DailyNo)) + "\n")
	}
	top.WriteString(s.input.View() + "\n")
	matchW := max(s.width, 40) - 2
	for i, p := range s.matches {
		line := "  " + fitCell(fmt.Sprintf("%s  %s  %s", p.SKU, p.Name(string(s.c.lang)), p.Price), column{width: matchW})
		if i == s.pick {
			line = st.Selected.Render(line)
		}
		top.WriteString(line + "\n")
	}
	if s.errText != "" {
		top.WriteString(wrapCells(st.Error.Render(s.errText), s.width) + "\n")
	}
	head := strings.TrimRight(top.String(), "\n")
	if s.basket.Len() == 0 {
		return head + "\n\n" + st.Muted.Render(s.c.t("basket.empty"))
	}
	head = s.withTotal(head)
	return head + "\n\n" + s.viewBasket(s.height-lipgloss.Height(head)-1)
}

// withTotal puts the big total beside the scan line when both fit the
// width, else under it.
func (s *saleScreen) withTotal(head string) string {
	total := bigTotal(s.c, s.basket.Total(), s.width)
	total = lipgloss.NewStyle().Align(lipgloss.Right).Render(total)
	if s.width <= 0 || lipgloss.Width(head)+2+lipgloss.Width(total) <= s.width {
		gap := 2
		if s.width > 0 {
			gap = s.width - lipgloss.Width(head) - lipgloss.Width(total)
		}
		return lipgloss.JoinHorizontal(lipgloss.Top, head, strings.Repeat(" ", gap), total)
	}
	return head + "\n" + lipgloss.PlaceHorizontal(s.width, lipgloss.Right, total)
}

// basketColumns are the basket's columns for a width: the name takes
// what the numbers leave.
func basketColumns(width int) []column {
	if width <= 0 {
		width = 80
	}
	return flexColumns(width, 12, []column{{width: -1}, {width: 4, right: true}, {width: 9, right: true}, {width: 11, right: true}})
}

// viewBasket draws the basket's lines in rows rows at most (0: all),
// keeping the selected line in view.
func (s *saleScreen) viewBasket(rows int) string {
	st := s.c.styles
	cols := basketColumns(s.width)
	var b strings.Builder
	b.WriteString(st.Muted.Render(tableRow(cols, s.c.t("col.item"), s.c.t("col.qty"), s.c.t("col.price"), s.c.t("col.total"))))
	lines := s.basket.Lines()
	from, to := scrollWindow(len(lines), s.cursor, rows-1)
	for i := from; i < to; i++ {
		l := lines[i]
		r := tableRow(cols, lineName(s.c.lang, l), fmt.Sprint(l.Quantity), l.UnitPrice.String(), l.Total.String())
		if i == s.cursor && !s.typing() { // one highlight at a time: the match while typing
			r = st.Selected.Render(r)
		}
		b.WriteString("\n" + r)
	}
	return b.String()
}

// scrollWindow is the slice [from, to) of n items that shows at most
// rows of them (rows ≤ 0: all) and keeps cursor in it.
func scrollWindow(n, cursor, rows int) (from, to int) {
	if rows <= 0 || n <= rows {
		return 0, n
	}
	from = min(max(cursor-rows+1, 0), n-rows)
	return from, from + rows
}
