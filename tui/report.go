package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// reportScreen is the day report (a manager's): one local day's totals
// by status and channel, paid, refunded and net.
type reportScreen struct {
	c *common
	frame
	page    *bookPage
	loader  dayLoader
	all     []pos.Order
	rep     pos.DayReport // the till's report of the page's day (a manager's)
	repCall request
	errText string
}

// dayReportMsg is the till's answer to DayReport.
type dayReportMsg struct {
	id  uint64
	rep pos.DayReport
	err error
}

func newReportScreen(c *common, page *bookPage) *reportScreen {
	return &reportScreen{c: c, page: page}
}

// Init does nothing: the screen loads when it is opened.
func (r *reportScreen) Init() tea.Cmd { return nil }

// open shows the page's day (today the first time) and loads it; fresh
// (from the sale or receipt) clears the status filter first.
func (r *reportScreen) open(fresh bool) tea.Cmd {
	r.page.open(r.c, fresh)
	return r.loader.load(r.c, r.page.day)
}

// ShortHelp is the help bar.
func (r *reportScreen) ShortHelp() []key.Binding {
	k := r.c.keys.Report
	return []key.Binding{k.PrevDay, k.NextDay, k.Orders, enabledIf(k.Print, r.c.printer != nil), k.Back}
}

// FullHelp is every key of the day report.
func (r *reportScreen) FullHelp() [][]key.Binding { return [][]key.Binding{r.ShortHelp()} }

// Update handles the report's keys, its load and the till's broadcasts.
func (r *reportScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := r.c.keys.Report
	switch msg := msg.(type) {
	case dayOrdersMsg:
		ok, next := r.loader.answered(r.c, msg)
		if !ok {
			return r, next
		}
		r.all, r.errText = msg.orders, ""
		if msg.err != nil {
			r.errText = r.c.fail("orders by day", msg.err, "")
		}
		return r, tea.Batch(next, r.askReport(msg.day))
	case dayReportMsg:
		if r.repCall.answered(msg.id) {
			r.rep = msg.rep
			if msg.err != nil {
				r.errText = r.c.fail("day report", msg.err, "")
			}
		}
	case UpdateMsg:
		if touchesDay(msg.Update, r.page.day) {
			return r, r.loader.refresh(r.c, r.page.day)
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.PrevDay):
			r.page.day = r.page.day.AddDate(0, 0, -1)
			return r, r.loader.load(r.c, r.page.day)
		case key.Matches(msg, k.NextDay):
			r.page.day = r.page.day.AddDate(0, 0, 1)
			return r, r.loader.load(r.c, r.page.day)
		case key.Matches(msg, k.Orders):
			r.c.post(openOrdersMsg{})
		case key.Matches(msg, k.Print) && r.c.printer != nil:
			p, rep, all, lang := r.c.printer, r.rep, r.all, r.c.lang
			r.c.print(func() (int, error) { return p.DayReport(rep, all, lang) })
		case key.Matches(msg, k.Back):
			r.c.post(backToSaleMsg{})
		case msg.Type == tea.KeyRunes && allDigits(msg.Runes): // a scan: back to the sale with it
			r.c.post(backToSaleMsg{}, replayKeysMsg{keys: []tea.KeyMsg{msg}})
		}
	}
	return r, nil
}

// askReport asks the till for a day's report, with the manager's role.
func (r *reportScreen) askReport(day time.Time) tea.Cmd {
	c, id := r.c, r.repCall.start(r.c)
	ctx := c.roleCtx()
	return func() tea.Msg {
		rep, err := c.till.DayReport(ctx, day)
		return dayReportMsg{id, rep, err}
	}
}

// View draws the day's totals in columns aligned in cells.
func (r *reportScreen) View() string {
	rep, st := r.rep, r.c.styles
	cols := []column{{width: 24}, {width: 6, right: true}, {width: 14, right: true}}
	row := func(label string, count any, total pos.Money) string {
		return tableRow(cols, label, fmt.Sprint(count), total.String()) + "\n"
	}
	var b strings.Builder
	b.WriteString(bookTitle(r.c, r.c.t("report"), r.page) + "\n\n")
	b.WriteString(st.Muted.Render(tableRow(cols, "", r.c.t("col.count"), r.c.t("col.total"))) + "\n")
	for _, s := range rep.Statuses() {
		t := rep.ByStatus[s]
		b.WriteString(row(orderStatusText(r.c.lang, s), t.Count, t.Total))
	}
	b.WriteString("\n")
	for _, ch := range rep.Channels() {
		t := rep.ByChannel[ch]
		b.WriteString(row(channelName(r.c.lang, ch), t.Count, t.Total))
	}
	b.WriteString("\n" + row(r.c.t("report.paid"), rep.Paid.Count, rep.Paid.Total))
	b.WriteString(row(r.c.t("report.refunded"), rep.Refunded.Count, rep.Refunded.Total))
	if rep.Abnormal.Count > 0 {
		b.WriteString(st.Warn.Render(strings.TrimSuffix(row(r.c.t("report.abnormal"), rep.Abnormal.Count, rep.Abnormal.Total), "\n")) + "\n")
	}
	b.WriteString(st.Total.Render(tableRow(cols, r.c.t("report.net"), "", rep.Net.String())) + "\n")
	if rep.CashTaken.Count > 0 || rep.CashRefunded.Count > 0 {
		b.WriteString("\n" + row(r.c.t("report.cash"), rep.CashTaken.Count, rep.CashTaken.Total))
		b.WriteString(row(r.c.t("report.cashrefunded"), rep.CashRefunded.Count, rep.CashRefunded.Total))
		b.WriteString(st.Total.Render(tableRow(cols, r.c.t("report.drawer"), "", rep.CashExpected.String())) + "\n")
	}
	if r.errText != "" {
		b.WriteString(st.Error.Render(r.errText) + "\n")
	}
	return b.String()
}
