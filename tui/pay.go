package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"qrtill/payments"
	"qrtill/pos"
)

// minPane is the narrowest the status pane beside a QR may be.
const minPane = 34

// maxEvents is how many events the status pane shows.
const maxEvents = 5

// payState is the pay screen: the order, its QR (rendered once per
// attempt and cached), and the status pane's inputs.
type payState struct {
	order   pos.Order
	started time.Time
	busy    bool   // a Pay or Cancel call is under way
	errText string // the last problem, worded for the cashier
	events  []string
	poll    *pos.PollStatus

	inverse  bool
	qrFor    string // out_trade_no the cached QR belongs to
	qrText   string
	qrW, qrH int
}

// final reports whether the sale is over on this screen (cancelled, expired).
func (p *payState) final() bool {
	return p.order.Status == pos.OrderCancelled || p.order.Status == pos.OrderExpired
}

// closing reports whether the till is closing the latest attempt (a
// cancel, switch or expiry not yet confirmed by the provider).
func (p *payState) closing() bool {
	a, ok := p.attempt()
	return ok && a.Status == pos.AttemptClosing
}

// canChoose reports whether 1/2 may start (or switch to) a channel now.
func (p *payState) canChoose() bool {
	switch p.order.Status {
	case pos.OrderOpen, pos.OrderExpired:
		return true
	case pos.OrderAwaitingPayment:
		a, ok := p.attempt()
		return !ok || a.Status == pos.AttemptWaiting || a.Status == pos.AttemptScanned || !a.Open()
	}
	return false
}

// payHelp is the pay screen's help bar: only keys that do something now.
func (m *Model) payHelp() []key.Binding {
	k, p := m.keys, &m.pay
	on := func(b key.Binding, enabled bool) key.Binding { b.SetEnabled(enabled); return b }
	open := !p.final() && !p.closing()
	return []key.Binding{on(k.Alipay, p.canChoose()), on(k.WeChat, p.canChoose()), on(k.Cancel, open),
		on(k.Invert, open && p.qrText != ""), on(k.Next, p.final() || p.closing()), k.Help, k.Quit}
}

// attempt is the latest attempt of the order.
func (p *payState) attempt() (pos.Attempt, bool) {
	if len(p.order.Attempts) == 0 {
		return pos.Attempt{}, false
	}
	return p.order.Attempts[len(p.order.Attempts)-1], true
}

func (m *Model) startPay(ch payments.Channel) tea.Cmd {
	m.pay.busy, m.pay.errText = true, ""
	number := m.pay.order.Number
	return func() tea.Msg {
		o, err := m.opts.Till.Pay(context.Background(), number, ch)
		return orderReplyMsg{number, o, err}
	}
}

func (m *Model) updatePay(msg tea.Msg) tea.Cmd {
	p := &m.pay
	switch msg := msg.(type) {
	case orderReplyMsg:
		if msg.number != p.order.Number {
			return nil // a reply for an earlier sale
		}
		p.busy = false
		if msg.order.Number != "" {
			m.setPayOrder(msg.order)
		}
		if msg.err != nil {
			a, _ := p.attempt()
			p.errText = Explain(m.lang, msg.err, a.Channel, 0)
		}
		return nil
	case tea.KeyMsg:
		if p.busy {
			return nil
		}
		switch {
		case key.Matches(msg, m.keys.Alipay) && p.canChoose():
			return m.startPay(payments.Alipay)
		case key.Matches(msg, m.keys.WeChat) && p.canChoose():
			return m.startPay(payments.WeChat)
		case key.Matches(msg, m.keys.Invert):
			p.inverse = !p.inverse
			p.qrFor = "" // re-render once
			m.cacheQR()
		case key.Matches(msg, m.keys.Cancel) && !p.final() && !p.closing():
			p.busy = true
			number := p.order.Number
			return func() tea.Msg {
				o, err := m.opts.Till.Cancel(context.Background(), number)
				return orderReplyMsg{number, o, err}
			}
		case key.Matches(msg, m.keys.Next) && (p.final() || p.closing()):
			// While a cancel is unconfirmed the till keeps closing the QR in
			// the background (and refunds a payment that lands after all),
			// so the cashier may go on.
			m.newSale()
		}
	}
	return nil
}

func hasOpenAttempt(o pos.Order) bool {
	for _, a := range o.Attempts {
		if a.Open() {
			return true
		}
	}
	return false
}

// onUpdate applies a till broadcast to the screen showing that order.
func (m *Model) onUpdate(u pos.Update) tea.Cmd {
	if m.screen != screenPay || u.Order.Number != m.pay.order.Number {
		return nil
	}
	if u.Event != nil {
		m.pay.events = append(m.pay.events, u.Event.At.Format("15:04:05")+" "+eventText(m.lang, *u.Event))
		if len(m.pay.events) > maxEvents {
			m.pay.events = m.pay.events[len(m.pay.events)-maxEvents:]
		}
	}
	if u.Poll != nil {
		m.pay.poll = u.Poll
		if u.Poll.Err != nil {
			m.pay.errText = Explain(m.lang, u.Poll.Err, u.Poll.Channel, u.Poll.NextIn)
		} else {
			m.pay.errText = ""
		}
	}
	m.setPayOrder(u.Order)
	return nil
}

// setPayOrder takes a newer copy of the order; a paid order goes to the
// receipt.
func (m *Model) setPayOrder(o pos.Order) {
	if !o.UpdatedAt.IsZero() && o.UpdatedAt.Before(m.pay.order.UpdatedAt) {
		return // stale
	}
	m.pay.order = o
	switch o.Status {
	case pos.OrderPaid, pos.OrderPartiallyRefunded, pos.OrderRefunded:
		m.receipt = o
		m.screen = screenReceipt
		return
	}
	m.cacheQR()
}

// cacheQR renders the open attempt's QR once.
func (m *Model) cacheQR() {
	a, ok := m.pay.attempt()
	if !ok || a.QRContent == "" || m.pay.qrFor == a.OutTradeNo {
		return
	}
	s, w, h, err := renderQR(a.QRContent, m.pay.inverse)
	if err != nil {
		m.pay.errText = T(m.lang, "e.generic")
		return
	}
	m.pay.qrFor, m.pay.qrText, m.pay.qrW, m.pay.qrH = a.OutTradeNo, s, w, h
}

// statusText is the status pane's headline (DESIGN.md words in English).
func (m *Model) statusText() string {
	p := &m.pay
	switch p.order.Status {
	case pos.OrderCancelled:
		return T(m.lang, "st.cancelled")
	case pos.OrderExpired:
		return T(m.lang, "st.expired")
	case pos.OrderPaid:
		return T(m.lang, "st.paid")
	}
	a, ok := p.attempt()
	if !ok {
		return T(m.lang, "choose")
	}
	switch a.Status {
	case pos.AttemptCreating:
		return T(m.lang, "st.creating")
	case pos.AttemptWaiting:
		return T(m.lang, "st.waiting")
	case pos.AttemptScanned:
		return T(m.lang, "st.scanned") + " — " + T(m.lang, "st.scanned2")
	case pos.AttemptClosing:
		return T(m.lang, "st.closing")
	case pos.AttemptPaid:
		return T(m.lang, "st.paid")
	case pos.AttemptFailed:
		return T(m.lang, "st.failed")
	case pos.AttemptExpired:
		return T(m.lang, "st.expired")
	}
	return T(m.lang, "st.closed")
}

func (m *Model) viewPay() string {
	p := &m.pay
	s := m.styles
	var pane strings.Builder
	pane.WriteString(s.Muted.Render(T(m.lang, "order")+" ") + p.order.Number + "\n")
	pane.WriteString(s.Total.Render(fmt.Sprintf("%s  %s", T(m.lang, "total"), p.order.Total)) + "\n\n")
	a, hasAttempt := p.attempt()
	if hasAttempt {
		pane.WriteString(channelName(m.lang, a.Channel) + "\n")
	}
	status := m.statusText()
	switch {
	case p.final():
		status = s.Warn.Render(status)
	case hasAttempt && a.Open():
		status = m.spin.View() + " " + s.Title.Render(status)
	default:
		status = s.Title.Render(status)
	}
	pane.WriteString(status + "\n")
	now := m.opts.Till.Now()
	if hasAttempt && a.Open() {
		pane.WriteString(fmt.Sprintf("%s %s · %s %s\n", T(m.lang, "elapsed"), clock(now.Sub(a.CreatedAt)),
			T(m.lang, "left"), clock(a.ExpiresAt.Sub(now))))
	}
	if p.poll != nil && p.poll.Err == nil {
		pane.WriteString(s.Muted.Render(fmt.Sprintf("%s %s: %s", T(m.lang, "lastpoll"), p.poll.At.Format("15:04:05"), orDash(p.poll.RawCode, string(p.poll.State)))) + "\n")
	}
	if p.errText != "" {
		pane.WriteString(s.Error.Render(p.errText) + "\n")
	}
	if !hasAttempt || (!a.Open() && !p.final()) {
		pane.WriteString("\n" + T(m.lang, "choose") + ":  1 " + T(m.lang, "ch.alipay") + "   2 " + T(m.lang, "ch.wechat") + "\n")
	}
	if p.final() {
		pane.WriteString("\n" + T(m.lang, "nextsale") + "\n")
	}
	if len(p.events) > 0 {
		pane.WriteString("\n" + s.Muted.Render(T(m.lang, "events")) + "\n")
		for _, e := range p.events {
			pane.WriteString(s.Muted.Render(truncate(e, 48)) + "\n")
		}
	}
	if p.closing() {
		pane.WriteString("\n" + T(m.lang, "leave") + "\n")
	}
	right := pane.String()
	// The QR is shown only while it may be paid: never while the cashier's
	// cancel is closing it, nor after.
	if !hasAttempt || (a.Status != pos.AttemptWaiting && a.Status != pos.AttemptScanned) || p.qrText == "" {
		return right
	}
	// Never draw a QR that does not fit: a clipped QR scans wrong. It needs
	// its own size plus the pane's minimum width beside it, and a header
	// and help line above and below.
	needW, needH := p.qrW+2+minPane, p.qrH+2
	if m.width > 0 && (m.width < needW || m.height < needH) {
		return fmt.Sprintf(T(m.lang, "toosmall"), needW, needH) + "\n\n" + right
	}
	paneW := minPane
	if m.width > 0 {
		paneW = m.width - p.qrW - 2
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, p.qrText, "  ", s.Plain.MaxWidth(paneW).Render(right))
}

func (m *Model) viewReceipt() string {
	o := m.receipt
	s := m.styles
	var b strings.Builder
	b.WriteString(s.Paid.Render(T(m.lang, "st.paid")) + "  " + s.Title.Render(T(m.lang, "receipt")) + "\n")
	b.WriteString(m.opts.ShopName + "\n")
	b.WriteString(T(m.lang, "order") + " " + o.Number + "\n\n")
	for _, l := range o.Lines {
		name := l.NameEN
		if m.lang == Chinese {
			name = l.NameZH
		}
		b.WriteString(fmt.Sprintf("%s %3d × %8s %10s\n", padRight(name, 30), l.Quantity, l.UnitPrice, l.Total))
	}
	b.WriteString("\n" + s.Total.Render(fmt.Sprintf("%s  %s", T(m.lang, "total"), o.Total)) + "\n")
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy {
			b.WriteString(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s\n", T(m.lang, "paidby"), channelName(m.lang, a.Channel),
				T(m.lang, "tradeno"), a.ProviderTradeNo, T(m.lang, "paidat"), a.PaidAt.Local().Format("2006-01-02 15:04:05")))
		}
	}
	return b.String() + "\n" + T(m.lang, "nextsale")
}

func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func orDash(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return "-"
}

// eventText words an event: its detail in English, a label in Chinese.
func eventText(lang Lang, e pos.Event) string {
	if lang == Chinese {
		if label, ok := eventWords[e.Kind]; ok {
			return label[1]
		}
	}
	return e.Detail
}
