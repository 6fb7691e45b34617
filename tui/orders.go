package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/payments"
	"qrtill/pos"
)

// ordersScreen lists one local day's orders (filtered by status), shows a
// selected one's lines and event log, refunds (a manager) and pays again.
type ordersScreen struct {
	c *common
	frame
	page    *bookPage
	loader  dayLoader
	day     time.Time   // the day whose orders are held
	all     []pos.Order // the day's orders
	orders  []pos.Order // after the filter
	cursor  int
	detail  bool
	events  []pos.Event
	errText string
	note    string

	refund     refundDialog
	eventsCall request // the selected order's events
	refundCall request // a refund; while it runs, keys wait
}

type (
	// eventsLoadedMsg is the till's answer to Events.
	eventsLoadedMsg struct {
		id     uint64
		number string
		events []pos.Event
		err    error
	}
	// refundedMsg is the till's answer to Refund.
	refundedMsg struct {
		id    uint64
		order pos.Order
		err   error
	}
)

func newOrdersScreen(c *common, page *bookPage) *ordersScreen {
	return &ordersScreen{c: c, page: page, refund: newRefundDialog(c)}
}

// Init does nothing: the screen loads when it is opened.
func (s *ordersScreen) Init() tea.Cmd { return nil }

// open shows the list and loads it. fresh (from the sale or receipt)
// starts over on the page's day with no filter; otherwise (from the day
// report) the list is kept as it was, unless the day changed.
func (s *ordersScreen) open(fresh bool) tea.Cmd {
	s.page.open(s.c, fresh)
	if fresh {
		*s = ordersScreen{c: s.c, frame: s.frame, page: s.page, loader: s.loader, refund: newRefundDialog(s.c)}
	}
	if !sameDay(s.day, s.page.day) {
		s.cursor, s.detail = 0, false
	}
	return s.loader.load(s.c, s.page.day)
}

// typing reports whether the refund amount is being typed (then ? is text).
func (s *ordersScreen) typing() bool { return s.refund.open && s.refund.confirm == 0 }

// ShortHelp is the help bar.
func (s *ordersScreen) ShortHelp() []key.Binding {
	k := s.c.keys.Orders
	return []key.Binding{k.Up, k.Open, k.PrevDay, k.NextDay, k.Filter, s.c.keys.refundHelp(), k.PayAgain,
		s.c.keys.reportHelp(k.Report), enabledIf(k.Print, s.c.printer != nil), k.Back}
}

// FullHelp is every key of the orders screen.
func (s *ordersScreen) FullHelp() [][]key.Binding {
	k := s.c.keys.Orders
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.PrevDay, k.NextDay, k.Filter},
		{s.c.keys.refundHelp(), k.PayAgain, s.c.keys.reportHelp(k.Report), k.Print, k.Back}}
}

func (s *ordersScreen) selected() (pos.Order, bool) {
	if s.cursor < 0 || s.cursor >= len(s.orders) {
		return pos.Order{}, false
	}
	return s.orders[s.cursor], true
}

// Update handles the list's keys, the refund dialog, the till's answers
// and broadcasts (another terminal's sale, a notification).
func (s *ordersScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dayOrdersMsg:
		return s, s.loaded(msg)
	case eventsLoadedMsg:
		if o, ok := s.selected(); s.eventsCall.answered(msg.id) && ok && o.Number == msg.number {
			s.events = msg.events
			if msg.err != nil {
				s.c.log.Warn("till call failed", "call", "events", "err", msg.err)
			}
		}
	case refundedMsg:
		return s, s.refunded(msg)
	case startRefundMsg:
		return s, s.startRefund()
	case UpdateMsg:
		if touchesDay(msg.Update, s.page.day) {
			return s, s.loader.refresh(s.c, s.page.day)
		}
	case tea.KeyMsg:
		if s.refund.open {
			return s, s.refundKey(msg)
		}
		return s, s.key(msg)
	}
	return s, nil
}

// loaded takes a day's orders.
func (s *ordersScreen) loaded(msg dayOrdersMsg) tea.Cmd {
	ok, next := s.loader.answered(s.c, msg)
	if !ok {
		return nil
	}
	s.day, s.all, s.errText = msg.day, msg.orders, ""
	s.applyFilter()
	if msg.err != nil {
		s.errText = s.c.fail("orders by day", msg.err, "")
	}
	return next
}

// key handles the list's keys.
func (s *ordersScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.c.keys.Orders
	switch {
	case key.Matches(msg, k.Back):
		if !s.detail {
			s.c.post(backToSaleMsg{})
		}
		s.detail = false
	case key.Matches(msg, k.Up) && s.cursor > 0:
		s.cursor, s.detail = s.cursor-1, false
	case key.Matches(msg, k.Down) && s.cursor < len(s.orders)-1:
		s.cursor, s.detail = s.cursor+1, false
	case key.Matches(msg, k.PrevDay):
		return s.setDay(-1)
	case key.Matches(msg, k.NextDay):
		return s.setDay(1)
	case key.Matches(msg, k.Report):
		s.c.post(openReportMsg{})
	case key.Matches(msg, k.Filter):
		s.nextFilter()
		s.cursor, s.detail = 0, false
	case key.Matches(msg, k.Open):
		return s.openDetail()
	case key.Matches(msg, k.Refund):
		return s.startRefund()
	case key.Matches(msg, k.PayAgain):
		if o, ok := s.selected(); ok && payAgainAllowed(o) {
			s.c.post(openPayMsg{order: o})
		}
	case key.Matches(msg, k.Print):
		s.print()
	case msg.Type == tea.KeyRunes && allDigits(msg.Runes): // a scan: back to the sale with it
		s.c.post(backToSaleMsg{}, replayKeysMsg{keys: []tea.KeyMsg{msg}})
	}
	return nil
}

// print is F9 on an order: a copy of its receipt, or the slip of its
// latest refund when it was refunded.
func (s *ordersScreen) print() {
	o, ok := s.selected()
	p := s.c.printer
	if !ok || p == nil {
		return
	}
	lang := s.c.lang
	switch {
	case len(o.Refunds) > 0:
		no := o.Refunds[len(o.Refunds)-1].RefundNo
		s.c.print(func() (int, error) { return p.RefundSlip(o, no, lang) })
	case paidStatus(o.Status):
		s.c.print(func() (int, error) { return p.Receipt(o, lang, true) })
	default:
		s.errText = s.c.t("e.noprint")
	}
}

// setDay moves the page by days and loads it.
func (s *ordersScreen) setDay(days int) tea.Cmd {
	s.page.day, s.cursor, s.detail = s.page.day.AddDate(0, 0, days), 0, false
	return s.loader.load(s.c, s.page.day)
}

// openDetail shows the selected order's lines and loads its events.
func (s *ordersScreen) openDetail() tea.Cmd {
	o, ok := s.selected()
	if !ok {
		return nil
	}
	s.detail = true
	c, id := s.c, s.eventsCall.start(s.c)
	return func() tea.Msg {
		ev, err := c.till.Events(c.ctx, o.Number)
		return eventsLoadedMsg{id, o.Number, ev, err}
	}
}

// nextFilter cycles the status filter: all, then each status.
func (s *ordersScreen) nextFilter() {
	statuses := pos.OrderStatuses()
	next := pos.OrderStatus("")
	if s.page.filter == "" {
		next = statuses[0]
	} else {
		for i, st := range statuses {
			if st == s.page.filter && i+1 < len(statuses) {
				next = statuses[i+1]
			}
		}
	}
	s.page.filter = next
	s.applyFilter()
}

func (s *ordersScreen) applyFilter() {
	s.orders = s.orders[:0:0]
	for _, o := range s.all {
		if s.page.filter == "" || o.Status == s.page.filter {
			s.orders = append(s.orders, o)
		}
	}
	if s.cursor >= len(s.orders) {
		s.cursor = max(len(s.orders)-1, 0)
	}
}

func payAgainAllowed(o pos.Order) bool {
	return o.Status == pos.OrderExpired || o.Status == pos.OrderOpen ||
		(o.Status == pos.OrderAwaitingPayment && !hasOpenAttempt(o))
}

func hasOpenAttempt(o pos.Order) bool {
	for _, a := range o.Attempts {
		if a.Open() {
			return true
		}
	}
	return false
}

// View draws the title line, the list, the selected order's detail, the
// refund dialog and any note or problem.
func (s *ordersScreen) View() string {
	st := s.c.styles
	var b strings.Builder
	b.WriteString(bookTitle(s.c, s.c.t("orders"), s.page) + "\n")
	if len(s.orders) == 0 {
		b.WriteString("\n" + st.Muted.Render(s.c.t("orders.none")) + "\n")
	}
	cols := orderColumns(s.width)
	if len(s.orders) > 0 {
		b.WriteString(st.Muted.Render(tableRow(cols, s.c.t("col.time"), "#", s.c.t("order"), s.c.t("col.status"),
			s.c.t("col.channel"), s.c.t("col.total"), s.c.t("col.cashier"))) + "\n")
	}
	rows := 12
	if s.detail {
		rows = 6
	}
	from, to := scrollWindow(len(s.orders), s.cursor, rows)
	for i := from; i < to; i++ {
		o := s.orders[i]
		row := tableRow(cols, o.CreatedAt.In(s.page.day.Location()).Format("15:04"), fmt.Sprint(o.DailyNo), o.Number,
			orderStatusText(s.c.lang, o.Status), paidByText(s.c.lang, o), o.Total.String(), orDash(o.Cashier))
		if i == s.cursor {
			row = st.Selected.Render(row)
		}
		b.WriteString(row + "\n")
	}
	if o, ok := s.selected(); ok && s.detail {
		b.WriteString("\n" + s.viewDetail(o))
	}
	if s.refund.open {
		b.WriteString("\n" + s.refund.View() + "\n")
	}
	if s.note != "" {
		b.WriteString(st.Paid.Render(s.note) + "\n")
	}
	if s.errText != "" {
		b.WriteString(wrapCells(st.Error.Render(s.errText), s.width) + "\n")
	}
	return b.String()
}

// orderColumns are the order list's columns for a width: the order
// number keeps its end when cut, the status takes the rest.
func orderColumns(width int) []column {
	if width <= 0 {
		width = 80
	}
	number := 24
	if width < 100 {
		number = 12
	}
	return flexColumns(width, 8, []column{{width: 5}, {width: 4, right: true}, {width: number, keepEnd: true}, {width: -1},
		{width: 8}, {width: 10, right: true}, {width: 8}})
}

// paidByText is the channel that paid an order, or a dash.
func paidByText(lang Lang, o pos.Order) string {
	if o.PaidBy == "" {
		return "-"
	}
	return channelText(lang, o.Channel)
}

// channelText is a channel's name, or a dash for none.
func channelText(lang Lang, ch payments.Channel) string {
	if ch == "" {
		return "-"
	}
	return channelName(lang, ch)
}

// viewDetail is an order's lines, refunds and latest events, all worded.
func (s *ordersScreen) viewDetail(o pos.Order) string {
	st := s.c.styles
	cols := receiptColumns(s.width)
	var b strings.Builder
	for _, l := range o.Lines {
		b.WriteString(tableRow(cols, lineName(s.c.lang, l), fmt.Sprintf("%d ×", l.Quantity), l.UnitPrice.String(), l.Total.String()) + "\n")
	}
	for _, r := range o.Refunds {
		b.WriteString(fmt.Sprintf("%s %s  %s\n", s.c.t("refund"), r.Amount, refundStateText(s.c.lang, r)))
	}
	for _, e := range lastEvents(s.events, 6) {
		b.WriteString(st.Muted.Render(truncate(e.At.In(s.page.day.Location()).Format("15:04:05")+"  "+eventText(s.c.lang, e), max(s.width, 40))) + "\n")
	}
	return b.String()
}

// bookTitle is the order book screens' title line: what, which day, and
// the status filter.
func bookTitle(c *common, title string, page *bookPage) string {
	filter := c.t("filter.all")
	if page.filter != "" {
		filter = orderStatusText(c.lang, page.filter)
	}
	return c.styles.Title.Render(title) + "  " + page.day.Format("2006-01-02") + "  " + c.styles.Muted.Render("["+filter+"]")
}

func lastEvents(ev []pos.Event, n int) []pos.Event {
	if len(ev) > n {
		return ev[len(ev)-n:]
	}
	return ev
}
