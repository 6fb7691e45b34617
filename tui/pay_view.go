package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"qrtill/pos"
)

// minPane is the narrowest the status pane beside a QR may be.
const minPane = 34

// View draws the QR, when one may be paid and fits, beside the status
// pane.
func (p *payScreen) View() string {
	pane := p.viewPane()
	// The QR is shown only while it may be paid: never while the cashier's
	// cancel is closing it, nor after.
	a, ok := p.attempt()
	if !ok || (a.Status != pos.AttemptWaiting && a.Status != pos.AttemptScanned) || p.qr.text == "" {
		return pane
	}
	// Never draw a QR that does not fit: a clipped QR scans wrong. It needs
	// its own size plus the pane's minimum width beside it; the window
	// needs the header and help lines too.
	needW := p.qr.width + 2 + minPane
	if p.width > 0 && (p.width < needW || p.height < p.qr.rows) {
		return fmt.Sprintf(p.c.t("toosmall"), needW, p.qr.rows+chromeRows) + "\n\n" + pane
	}
	paneW := minPane
	if p.width > 0 {
		paneW = p.width - p.qr.width - 2
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, p.qr.text, "  ", p.c.styles.Plain.MaxWidth(paneW).Render(pane))
}

// viewPane is the status pane: the order, the attempt's state and clock,
// the last check, any problem, what to do next and the latest events.
func (p *payScreen) viewPane() string {
	st := p.c.styles
	var b strings.Builder
	b.WriteString(st.Muted.Render(p.c.t("order")+" ") + p.order.Number)
	if p.order.DailyNo > 0 {
		b.WriteString("  " + st.Title.Render(fmt.Sprintf("%s %d", p.c.t("daily"), p.order.DailyNo)))
	}
	b.WriteString("\n" + st.Total.Render(fmt.Sprintf("%s  %s", p.c.t("total"), p.order.Total)) + "\n\n")
	if p.cash.open {
		b.WriteString(p.cash.View(p.order.Total))
	} else {
		b.WriteString(p.viewAttempt())
	}
	if !p.code.empty() {
		b.WriteString(st.Key.Render(p.c.t("code.line")+"  ") + p.code.masked() + "\n")
	}
	if p.errText != "" {
		b.WriteString(st.Error.Render(p.errText) + "\n")
	}
	if a, ok := p.attempt(); !p.cash.open && (!ok || (!a.Open() && !p.final())) {
		b.WriteString("\n" + p.c.t("choose") + ":\n" + p.c.t("choose.keys") + "\n")
	}
	if p.final() {
		b.WriteString("\n" + p.c.t("nextsale") + "\n")
	}
	if len(p.events) > 0 {
		b.WriteString("\n" + st.Muted.Render(p.c.t("events")) + "\n")
		for _, e := range p.events {
			b.WriteString(st.Muted.Render(truncate(e, 48)) + "\n")
		}
	}
	if p.closing() {
		b.WriteString("\n" + p.c.t("leave") + "\n")
	}
	return b.String()
}

// viewAttempt is the latest attempt's channel, status, clock and last
// check.
func (p *payScreen) viewAttempt() string {
	st := p.c.styles
	var b strings.Builder
	a, ok := p.attempt()
	if ok {
		b.WriteString(channelName(p.c.lang, a.Channel) + "\n")
	}
	status := p.statusText()
	switch {
	case p.final():
		status = st.Warn.Render(status)
	case ok && a.Open():
		status = p.spin.View() + " " + st.Title.Render(status)
	default:
		status = st.Title.Render(status)
	}
	b.WriteString(status + "\n")
	if now := p.c.now(); ok && a.Open() {
		b.WriteString(fmt.Sprintf("%s %s · %s %s\n", p.c.t("elapsed"), clock(now.Sub(a.CreatedAt)),
			p.c.t("left"), clock(a.ExpiresAt.Sub(now))))
	}
	if p.poll != nil && p.poll.Err == nil {
		b.WriteString(st.Muted.Render(fmt.Sprintf("%s %s: %s", p.c.t("lastpoll"), p.poll.At.Format("15:04:05"),
			orDash(p.poll.RawCode, string(p.poll.State)))) + "\n")
	}
	return b.String()
}

// statusText is the status pane's headline (DESIGN.md words in English).
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
	case !ok:
		return p.c.t("choose")
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
