package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"qrtill/payments"
	"qrtill/pos"
)

// minPane is the narrowest the status pane beside a QR may be.
const minPane = 34

// View draws the QR, when one may be paid and fits, beside the status
// pane — or above it on a narrow, tall (portrait) kiosk.
func (p *payScreen) View() string {
	// The QR is shown only while it may be paid: never while a cancel is
	// closing it, nor after.
	a, ok := p.attempt()
	if !ok || (a.Status != pos.AttemptWaiting && a.Status != pos.AttemptScanned) || p.qr.text == "" {
		return p.viewPane(p.width, true)
	}
	// Never draw a QR that does not fit: a clipped QR scans wrong. Beside
	// the pane it needs its own width and the pane's least; stacked, its
	// own height and the pane's first rows.
	besideW := p.qr.width + 2 + minPane
	switch {
	case p.width <= 0 || (p.width >= besideW && p.height >= p.qr.rows):
		paneW := minPane
		if p.width > 0 {
			paneW = p.width - p.qr.width - 2
		}
		// What ticks (the clock, the last check) goes under the QR, not
		// beside it: a line that changes is sent again whole, and a line
		// beside the QR carries 41 of its characters every second.
		return lipgloss.JoinHorizontal(lipgloss.Top, p.qr.text, "  ", p.viewPane(paneW, false)) + "\n" +
			clipLines(strings.TrimRight(p.viewClock(), "\n"), p.width)
	case p.width >= p.qr.width && p.height >= p.qr.rows+stackedPane:
		return p.qr.text + "\n" + p.viewPane(p.width, true)
	}
	return wrapCells(fmt.Sprintf(p.c.t("toosmall"), besideW, p.qr.rows+chromeRows), p.width) + "\n\n" + p.viewPane(p.width, true)
}

// stackedPane is the rows of the pane a portrait layout keeps below the
// QR: the order, the status and its clock.
const stackedPane = 6

// viewPane is the status pane, width cells wide: the order and its daily
// number, the total (big where it fits), the state (and its clock, with
// clock), what to do next, any problem and the latest events.
func (p *payScreen) viewPane(width int, clock bool) string {
	st := p.c.styles
	var b strings.Builder
	daily := ""
	if p.order.DailyNo > 0 {
		daily = "  " + st.Title.Render(fmt.Sprintf("%s %d", p.c.t("daily"), p.order.DailyNo))
	}
	label := st.Muted.Render(p.c.t("order") + " ")
	number := p.order.Number
	if room := width - lipgloss.Width(label) - lipgloss.Width(daily); width > 0 && lipgloss.Width(number) > room {
		number = fitCell(number, column{width: max(room, 6), keepEnd: true}) // the end tells orders apart
	}
	b.WriteString(label + number + daily + "\n")
	b.WriteString(bigTotal(p.c, p.order.Total, width) + "\n")
	if p.cash.open {
		b.WriteString(p.cash.View(p.order.Total))
	} else {
		b.WriteString(p.viewAttempt())
		if clock {
			b.WriteString(p.viewClock())
		}
	}
	if !p.code.empty() {
		b.WriteString(st.Key.Render(p.c.t("code.line")+"  ") + p.code.masked() + "\n")
	}
	if p.errText != "" {
		b.WriteString(wrapCells(st.Error.Render(p.errText), width) + "\n")
	}
	if a, ok := p.attempt(); !p.cash.open && (!ok || (!a.Open() && !p.final())) {
		b.WriteString("\n" + wrapCells(p.c.t("choose.keys"), width) + "\n")
	}
	if p.final() {
		b.WriteString("\n" + p.c.t("nextsale") + "\n")
	}
	if p.closing() {
		b.WriteString("\n" + wrapCells(p.c.t("leave"), width) + "\n")
	}
	if len(p.events) > 0 {
		b.WriteString("\n" + st.Muted.Render(p.c.t("events")) + "\n")
		for _, e := range p.events {
			b.WriteString(st.Muted.Render(truncate(e, max(width, 20))) + "\n")
		}
	}
	return clipLines(strings.TrimRight(b.String(), "\n"), width)
}

// clipLines cuts every line of s to width cells (no cut when width is
// unknown), so a pane never spills past its edge.
func clipLines(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if lipgloss.Width(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// viewAttempt is the state line (symbol and colour), the channel, the
// clock, and the last check worded.
func (p *payScreen) viewAttempt() string {
	st := p.c.styles
	var b strings.Builder
	a, ok := p.attempt()
	if ok {
		b.WriteString(channelName(p.c.lang, a.Channel) + "\n")
	}
	state := payStateOf(p.order, p.poll != nil && p.poll.Err != nil && ok && a.Open())
	b.WriteString(st.Status[state].Render(stateSymbols[state]+" "+p.statusText()) + "\n")
	return b.String()
}

// viewClock is what ticks: the attempt's elapsed and remaining time, and
// the last check of the provider.
func (p *payScreen) viewClock() string {
	var parts []string
	a, ok := p.attempt()
	if now := p.c.now(); ok && a.Open() {
		parts = append(parts, fmt.Sprintf("%s %s · %s %s", p.c.t("elapsed"), clock(now.Sub(a.CreatedAt)),
			p.c.t("left"), clock(a.ExpiresAt.Sub(now))))
	}
	if p.poll != nil && p.poll.Err == nil {
		parts = append(parts, p.c.styles.Muted.Render(fmt.Sprintf("%s %s: %s", p.c.t("lastpoll"), p.poll.At.Format("15:04:05"),
			tradeStateText(p.c.lang, p.poll.State))))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " · ") + "\n"
}

// statusText is the state line's words (DESIGN.md words in English).
func (p *payScreen) statusText() string {
	switch p.order.Status {
	case pos.OrderCancelled:
		return p.c.t("st.cancelled")
	case pos.OrderExpired:
		return p.c.t("st.expired")
	case pos.OrderPaid:
		return p.c.t("st.paid")
	}
	a, ok := p.attempt()
	switch {
	case !ok || !a.Open() && a.Status != pos.AttemptPaid:
		return p.c.t("choose") // nothing asked for yet, or the last try ended
	case a.WaitingForPassword():
		return p.c.t("st.password")
	case a.Status == pos.AttemptScanned:
		return p.c.t("st.scanned") + " — " + p.c.t("st.scanned2")
	}
	if id, ok := attemptWords[a.Status]; ok {
		return p.c.t(id)
	}
	return p.c.t("st.closed")
}

// attemptWords are the message ids of the attempt statuses' headlines;
// any other status reads as closed.
var attemptWords = map[pos.AttemptStatus]string{
	pos.AttemptCreating: "st.creating",
	pos.AttemptWaiting:  "st.waiting",
	pos.AttemptClosing:  "st.closing",
	pos.AttemptPaid:     "st.paid",
	pos.AttemptFailed:   "st.failed",
	pos.AttemptExpired:  "st.expired",
}

// tradeStateText words what the provider last said of a trade.
func tradeStateText(lang Lang, s payments.State) string {
	switch s {
	case payments.StateNotFound, payments.StateWaitingScan:
		return T(lang, "st.waiting")
	case payments.StateScanned:
		return T(lang, "st.scanned")
	case payments.StatePaid:
		return T(lang, "st.paid")
	case payments.StateRefunded:
		return T(lang, "os.refunded")
	case payments.StateFailed:
		return T(lang, "st.failed")
	}
	return T(lang, "st.closed")
}

// bigTotal is "Total" and the amount in big digits, right-aligned in
// width cells; in bold text when big digits do not fit.
func bigTotal(c *common, m pos.Money, width int) string {
	big := bigText(m.String())
	label := c.styles.Muted.Render(c.t("total"))
	if width > 0 && lipgloss.Width(big) > width {
		return label + "  " + c.styles.Total.Render(m.String())
	}
	return label + "\n" + c.styles.Big.Render(big)
}

// wrapCells wraps s at width cells (no wrap when width is unknown).
func wrapCells(s string, width int) string {
	if width <= 0 || lipgloss.Width(s) <= width {
		return s
	}
	return lipgloss.NewStyle().Width(width).Render(s)
}
