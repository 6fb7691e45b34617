package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// bookPage is what the order book's two screens (the orders list and the
// day report) are looking at: one local day and a status filter. They
// share it, so switching between them keeps the day.
type bookPage struct {
	day    time.Time       // zero until first opened
	filter pos.OrderStatus // "" = all
}

// open starts a screen on the page: today the first time; fresh (from
// the sale or receipt) also clears the status filter.
func (p *bookPage) open(c *common, fresh bool) {
	if p.day.IsZero() {
		p.day = c.now()
	}
	if fresh {
		p.filter = ""
	}
}

// dayOrdersMsg is the till's answer to a dayLoader's OrdersByDay.
type dayOrdersMsg struct {
	id     uint64
	day    time.Time
	orders []pos.Order
	err    error
}

// dayLoader loads one day's orders for a screen. Loading another day
// supersedes the load under way (its late answer is dropped); a refresh
// asked for while a load is under way becomes one more load after it, so
// a busy shop's stream of updates can neither starve the list nor pile up
// calls.
type dayLoader struct {
	call  request
	again bool // refresh once the load under way answers
}

// load starts loading day, superseding any load under way.
func (l *dayLoader) load(c *common, day time.Time) tea.Cmd {
	l.again = false
	id := l.call.start(c)
	return func() tea.Msg {
		orders, err := c.till.OrdersByDay(c.ctx, day)
		return dayOrdersMsg{id, day, orders, err}
	}
}

// refresh loads day again, after the load under way if there is one.
func (l *dayLoader) refresh(c *common, day time.Time) tea.Cmd {
	if l.call.busy() {
		l.again = true
		return nil
	}
	return l.load(c, day)
}

// answered reports whether msg answers the awaited load; next is the
// refresh asked for meanwhile, if any.
func (l *dayLoader) answered(c *common, msg dayOrdersMsg) (ok bool, next tea.Cmd) {
	if !l.call.answered(msg.id) {
		return false, nil
	}
	if l.again {
		next = l.load(c, msg.day)
	}
	return true, next
}

// sameDay reports whether two times fall on the same calendar day.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// touchesDay reports whether a till broadcast is about an order of day,
// so a screen showing that day reloads it.
func touchesDay(u pos.Update, day time.Time) bool {
	return sameDay(u.Order.CreatedAt.In(day.Location()), day)
}
