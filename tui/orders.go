package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// ordersState is the orders screen: one local day's orders, a selected
// one with its event log, and the refund dialog.
type ordersState struct {
	day      time.Time
	orders   []pos.Order
	cursor   int
	detail   bool
	events   []pos.Event
	errText  string
	note     string
	refund   textinput.Model
	refundOn bool
	confirm  pos.Money       // > 0 while asking to confirm this refund amount
	report   bool            // showing the day report instead of the list
	filter   pos.OrderStatus // "" = all
	all      []pos.Order     // the day's orders before the filter
}

type (
	ordersLoadedMsg struct {
		day    time.Time
		orders []pos.Order
		err    error
	}
	eventsLoadedMsg struct {
		number string
		events []pos.Event
	}
	refundedMsg struct {
		order pos.Order
		err   error
	}
)

func (m *Model) openOrders(report bool) tea.Cmd {
	m.screen = screenOrders
	day := m.orders.day
	if day.IsZero() {
		day = m.opts.Till.Now()
	}
	in := textinput.New()
	in.Placeholder = "¥0.00"
	in.Prompt = "¥ "
	m.orders = ordersState{day: day, refund: in, report: report}
	return m.loadOrders()
}

func (m *Model) loadOrders() tea.Cmd {
	day := m.orders.day
	return func() tea.Msg {
		o, err := m.opts.Till.OrdersByDay(context.Background(), day)
		return ordersLoadedMsg{day, o, err}
	}
}

func (m *Model) selected() (pos.Order, bool) {
	s := &m.orders
	if s.cursor < 0 || s.cursor >= len(s.orders) {
		return pos.Order{}, false
	}
	return s.orders[s.cursor], true
}

func (m *Model) updateOrders(msg tea.Msg) tea.Cmd {
	s := &m.orders
	switch msg := msg.(type) {
	case ordersLoadedMsg:
		if !sameDay(msg.day, s.day) {
			return nil
		}
		s.all, s.errText = msg.orders, ""
		s.applyFilter()
		if msg.err != nil {
			s.errText = Explain(m.lang, msg.err, "", 0)
		}
		if s.cursor >= len(s.orders) {
			s.cursor = max(len(s.orders)-1, 0)
		}
		return nil
	case eventsLoadedMsg:
		if o, ok := m.selected(); ok && o.Number == msg.number {
			s.events = msg.events
		}
		return nil
	case refundedMsg:
		s.refundOn, s.confirm = false, 0
		if msg.err != nil {
			s.errText = Explain(m.lang, msg.err, "", 0)
		} else {
			s.note = T(m.lang, "refund.done")
		}
		return m.loadOrders()
	case tea.KeyMsg:
		if s.refundOn {
			return m.updateRefund(msg)
		}
		k := m.keys
		switch {
		case key.Matches(msg, k.Back):
			if s.detail {
				s.detail = false
				return nil
			}
			m.screen = screenSale
			return nil
		case key.Matches(msg, k.Up) && s.cursor > 0:
			s.cursor--
			s.detail = false
		case key.Matches(msg, k.Down) && s.cursor < len(s.orders)-1:
			s.cursor++
			s.detail = false
		case key.Matches(msg, k.PrevDay):
			s.day, s.cursor, s.detail = s.day.AddDate(0, 0, -1), 0, false
			return m.loadOrders()
		case key.Matches(msg, k.NextDay):
			s.day, s.cursor, s.detail = s.day.AddDate(0, 0, 1), 0, false
			return m.loadOrders()
		case key.Matches(msg, k.Report):
			s.report = !s.report
		case key.Matches(msg, k.Filter):
			s.nextFilter()
			s.cursor, s.detail = 0, false
		case key.Matches(msg, k.Open):
			o, ok := m.selected()
			if !ok {
				return nil
			}
			s.detail = true
			return func() tea.Msg {
				ev, _ := m.opts.Till.Events(context.Background(), o.Number)
				return eventsLoadedMsg{o.Number, ev}
			}
		case key.Matches(msg, k.Refund):
			o, ok := m.selected()
			if !ok || !m.opts.Manager || pos.Refundable(o) <= 0 {
				s.errText = T(m.lang, "refund.no")
				return nil
			}
			s.refundOn, s.note, s.errText = true, "", ""
			s.refund.SetValue(pos.Refundable(o).Yuan())
			s.refund.Focus()
			return textinput.Blink
		case key.Matches(msg, k.PayAgain):
			o, ok := m.selected()
			if !ok || !payAgainAllowed(o) {
				return nil
			}
			m.screen = screenPay
			m.pay = payState{order: o, inverse: m.pay.inverse, started: m.opts.Till.Now()}
			return nil
		}
	}
	return nil
}

// updateRefund is the refund dialog: type the amount, Enter, then y to
// confirm (any other key cancels).
func (m *Model) updateRefund(msg tea.KeyMsg) tea.Cmd {
	s := &m.orders
	o, _ := m.selected()
	if s.confirm > 0 {
		amount := s.confirm
		if msg.String() != "y" {
			s.refundOn, s.confirm = false, 0
			return nil
		}
		s.note = T(m.lang, "refund.busy")
		return func() tea.Msg {
			after, err := m.opts.Till.Refund(context.Background(), o.Number, amount, "refund at the till")
			return refundedMsg{after, err}
		}
	}
	switch msg.Type {
	case tea.KeyEsc:
		s.refundOn = false
		return nil
	case tea.KeyEnter:
		amount, err := pos.ParseMoney(s.refund.Value())
		if err != nil || amount <= 0 || amount > pos.Refundable(o) {
			s.errText = fmt.Sprintf(T(m.lang, "refund.range"), pos.Refundable(o))
			return nil
		}
		s.confirm, s.errText = amount, ""
		return nil
	}
	var cmd tea.Cmd
	s.refund, cmd = s.refund.Update(msg)
	return cmd
}

// nextFilter cycles the status filter: all, then each status.
func (s *ordersState) nextFilter() {
	statuses := pos.OrderStatuses()
	next := pos.OrderStatus("")
	if s.filter == "" {
		next = statuses[0]
	} else {
		for i, st := range statuses {
			if st == s.filter && i+1 < len(statuses) {
				next = statuses[i+1]
			}
		}
	}
	s.filter = next
	s.applyFilter()
}

func (s *ordersState) applyFilter() {
	s.orders = s.orders[:0:0]
	for _, o := range s.all {
		if s.filter == "" || o.Status == s.filter {
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

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// onOrdersUpdate refreshes the list when any order changes (another
// terminal's sale, a notification).
func (m *Model) onOrdersUpdate(u pos.Update) tea.Cmd {
	if m.screen != screenOrders || !sameDay(u.Order.CreatedAt.In(m.orders.day.Location()), m.orders.day) {
		return nil
	}
	return m.loadOrders()
}

func (m *Model) viewOrders() string {
	s := &m.orders
	st := m.styles
	var b strings.Builder
	title := T(m.lang, "orders")
	if s.report {
		title = T(m.lang, "report")
	}
	filter := T(m.lang, "filter.all")
	if s.filter != "" {
		filter = orderStatusText(m.lang, s.filter)
	}
	b.WriteString(st.Title.Render(title) + "  " + s.day.Format("2006-01-02") + "  " + st.Muted.Render("["+filter+"]") + "\n\n")
	if s.report {
		b.WriteString(m.viewReport())
		return b.String()
	}
	if len(s.orders) == 0 {
		b.WriteString(st.Muted.Render(T(m.lang, "orders.none")) + "\n")
	}
	from := max(0, s.cursor-8)
	for i := from; i < len(s.orders) && i < from+12; i++ {
		o := s.orders[i]
		row := fmt.Sprintf("%s  %s  %-18s %-7s %10s  %s", o.CreatedAt.In(s.day.Location()).Format("15:04"), o.Number, orderStatusText(m.lang, o.Status),
			orDash(string(o.Channel)), o.Total, orDash(o.Cashier))
		if i == s.cursor {
			row = st.Selected.Render(row)
		}
		b.WriteString(row + "\n")
	}
	if o, ok := m.selected(); ok && s.detail {
		b.WriteString("\n")
		for _, l := range o.Lines {
			b.WriteString(fmt.Sprintf("  %s × %d  %s\n", l.NameEN, l.Quantity, l.Total))
		}
		for _, r := range o.Refunds {
			b.WriteString(fmt.Sprintf("  %s %s %s\n", T(m.lang, "refund"), r.Amount, r.Status))
		}
		for _, e := range lastEvents(s.events, 8) {
			b.WriteString(st.Muted.Render(fmt.Sprintf("  %s %-9s %s", e.At.In(s.day.Location()).Format("15:04:05"), e.Source, truncate(e.Detail, 70))) + "\n")
		}
	}
	if s.refundOn {
		if s.confirm > 0 {
			b.WriteString("\n" + st.Warn.Render(fmt.Sprintf(T(m.lang, "refund.confirm"), s.confirm)) + "\n")
		} else {
			b.WriteString("\n" + T(m.lang, "refund.amount") + " " + s.refund.View() + "\n")
		}
	}
	if s.note != "" {
		b.WriteString(st.Paid.Render(s.note) + "\n")
	}
	if s.errText != "" {
		b.WriteString(st.Error.Render(s.errText) + "\n")
	}
	return b.String()
}

func lastEvents(ev []pos.Event, n int) []pos.Event {
	if len(ev) > n {
		return ev[len(ev)-n:]
	}
	return ev
}

func (m *Model) viewReport() string {
	r := pos.BuildDayReport(m.orders.day, m.orders.all)
	var b strings.Builder
	for _, st := range r.Statuses() {
		t := r.ByStatus[st]
		b.WriteString(fmt.Sprintf("  %-20s %4d  %12s\n", orderStatusText(m.lang, st), t.Count, t.Total))
	}
	b.WriteString("\n")
	for _, ch := range r.Channels() {
		t := r.ByChannel[ch]
		b.WriteString(fmt.Sprintf("  %-20s %4d  %12s\n", channelName(m.lang, ch), t.Count, t.Total))
	}
	b.WriteString(fmt.Sprintf("\n  %-20s %4d  %12s\n", T(m.lang, "report.paid"), r.Paid.Count, r.Paid.Total))
	b.WriteString(fmt.Sprintf("  %-20s %4d  %12s\n", T(m.lang, "report.refunded"), r.Refunded.Count, r.Refunded.Total))
	b.WriteString(m.styles.Total.Render(fmt.Sprintf("  %-20s %4s  %12s", T(m.lang, "report.net"), "", r.Net)) + "\n")
	return b.String()
}

func orderStatusText(lang Lang, st pos.OrderStatus) string {
	return T(lang, "os."+string(st))
}
