package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/payments"
	"qrtill/pos"
)

// maxEvents is how many events the status pane shows.
const maxEvents = 5

// payScreen follows one order's payment: the QR of the open attempt
// (rendered once per attempt and cached) beside a live status pane fed by
// the till's broadcasts for this order.
type payScreen struct {
	c *common
	frame
	order   pos.Order
	call    request // a Pay or Cancel call; while it runs, keys wait
	errText string  // the last problem, worded for the cashier
	events  []string
	poll    *pos.PollStatus
	qr      qrImage
	spin    spinner.Model
}

// qrImage is the drawn QR of one attempt.
type qrImage struct {
	forTrade    string // out_trade_no the drawing belongs to
	inverse     bool   // drawn for a light terminal
	text        string
	width, rows int
}

// payReplyMsg is the till's answer to the pay screen's Pay or Cancel.
type payReplyMsg struct {
	id     uint64
	number string // the order asked about
	order  pos.Order
	err    error
}

func newPayScreen(c *common) *payScreen {
	return &payScreen{c: c, spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.styles.Spinner))}
}

// Init does nothing: the screen starts when an order is opened on it.
func (p *payScreen) Init() tea.Cmd { return nil }

// open shows an order, forgetting the last one's calls, events and QR. A
// paid order goes straight to the receipt. autoPay starts the only
// configured channel at once (a fresh checkout on a one-channel till).
func (p *payScreen) open(o pos.Order, autoPay bool) tea.Cmd {
	*p = payScreen{c: p.c, frame: p.frame, spin: p.spin}
	p.setOrder(o)
	var cmds []tea.Cmd
	if p.c.ticks {
		cmds = append(cmds, p.spin.Tick)
	}
	if chs := p.c.till.Channels(); autoPay && len(chs) == 1 {
		cmds = append(cmds, p.startPay(chs[0]))
	}
	return tea.Batch(cmds...)
}

// final reports whether the sale is over on this screen (cancelled, expired).
func (p *payScreen) final() bool {
	return p.order.Status == pos.OrderCancelled || p.order.Status == pos.OrderExpired
}

// closing reports whether the till is closing the latest attempt (a
// cancel, switch or expiry not yet confirmed by the provider).
func (p *payScreen) closing() bool {
	a, ok := p.attempt()
	return ok && a.Status == pos.AttemptClosing
}

// canChoose reports whether 1/2 may start (or switch to) a channel now.
func (p *payScreen) canChoose() bool {
	switch p.order.Status {
	case pos.OrderOpen, pos.OrderExpired:
		return true
	case pos.OrderAwaitingPayment:
		a, ok := p.attempt()
		return !ok || a.Status == pos.AttemptWaiting || a.Status == pos.AttemptScanned || !a.Open()
	}
	return false
}

// attempt is the latest attempt of the order.
func (p *payScreen) attempt() (pos.Attempt, bool) {
	if len(p.order.Attempts) == 0 {
		return pos.Attempt{}, false
	}
	return p.order.Attempts[len(p.order.Attempts)-1], true
}

// ShortHelp is the help bar: only keys that do something now.
func (p *payScreen) ShortHelp() []key.Binding {
	k, g := p.c.keys.Pay, p.c.keys.Global
	open := !p.final() && !p.closing()
	return []key.Binding{enabledIf(k.Alipay, p.canChoose()), enabledIf(k.WeChat, p.canChoose()), enabledIf(k.Cancel, open),
		enabledIf(k.Invert, open && p.qr.text != ""), enabledIf(k.Next, p.final() || p.closing()), g.Help, g.Quit}
}

// FullHelp is every key of the pay screen.
func (p *payScreen) FullHelp() [][]key.Binding {
	k := p.c.keys.Pay
	return [][]key.Binding{{k.Alipay, k.WeChat, k.Cancel, k.Invert, k.Next}}
}

// Update handles the pay screen's keys, its calls' answers and the
// till's broadcasts about its order.
func (p *payScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case payReplyMsg:
		p.replied(msg)
	case UpdateMsg:
		p.broadcast(msg.Update)
	case spinner.TickMsg:
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return p, cmd
	case tea.KeyMsg:
		if p.call.busy() {
			return p, nil
		}
		return p, p.key(msg)
	}
	return p, nil
}

func (p *payScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys.Pay
	switch {
	case key.Matches(msg, k.Alipay) && p.canChoose():
		return p.startPay(payments.Alipay)
	case key.Matches(msg, k.WeChat) && p.canChoose():
		return p.startPay(payments.WeChat)
	case key.Matches(msg, k.Invert):
		p.c.qrInverse = !p.c.qrInverse
		p.drawQR()
	case key.Matches(msg, k.Cancel) && !p.final() && !p.closing():
		return p.startCancel()
	case key.Matches(msg, k.Next) && (p.final() || p.closing()):
		// While a cancel is unconfirmed the till keeps closing the QR in
		// the background (and refunds a payment that lands after all),
		// so the cashier may go on.
		p.c.post(nextSaleMsg{})
	}
	return nil
}

func (p *payScreen) startPay(ch payments.Channel) tea.Cmd {
	p.errText = ""
	c, number, id := p.c, p.order.Number, p.call.start(p.c)
	return func() tea.Msg {
		o, err := c.till.Pay(c.ctx, number, ch)
		return payReplyMsg{id, number, o, err}
	}
}

func (p *payScreen) startCancel() tea.Cmd {
	c, number, id := p.c, p.order.Number, p.call.start(p.c)
	return func() tea.Msg {
		o, err := c.till.Cancel(c.ctx, number)
		return payReplyMsg{id, number, o, err}
	}
}

// replied takes the answer to the screen's own Pay or Cancel.
func (p *payScreen) replied(msg payReplyMsg) {
	if msg.number != p.order.Number || !p.call.answered(msg.id) {
		return // an answer about an earlier sale or call
	}
	if msg.order.Number != "" {
		p.setOrder(msg.order)
	}
	if msg.err != nil {
		a, _ := p.attempt()
		p.errText = p.c.fail("pay", msg.err, a.Channel)
	}
}

// broadcast applies a till broadcast about the screen's order.
func (p *payScreen) broadcast(u pos.Update) {
	if u.Order.Number != p.order.Number {
		return
	}
	if u.Event != nil {
		p.events = append(p.events, u.Event.At.Format("15:04:05")+" "+eventText(p.c.lang, *u.Event))
		if len(p.events) > maxEvents {
			p.events = p.events[len(p.events)-maxEvents:]
		}
	}
	if u.Poll != nil {
		p.poll = u.Poll
		p.errText = Explain(p.c.lang, u.Poll.Err, u.Poll.Channel, u.Poll.NextIn)
	}
	p.setOrder(u.Order)
}

// setOrder takes a newer copy of the order; a paid order goes to the
// receipt.
func (p *payScreen) setOrder(o pos.Order) {
	if !o.UpdatedAt.IsZero() && o.UpdatedAt.Before(p.order.UpdatedAt) {
		return // stale
	}
	p.order = o
	switch o.Status {
	case pos.OrderPaid, pos.OrderPartiallyRefunded, pos.OrderRefunded:
		p.c.post(openReceiptMsg{order: o})
		return
	}
	p.drawQR()
}

// drawQR renders the latest attempt's QR once per attempt and colouring.
func (p *payScreen) drawQR() {
	a, ok := p.attempt()
	if !ok || a.QRContent == "" || (p.qr.forTrade == a.OutTradeNo && p.qr.inverse == p.c.qrInverse) {
		return
	}
	text, w, h, err := renderQR(a.QRContent, p.c.qrInverse)
	if err != nil {
		p.errText = p.c.fail("draw QR", err, a.Channel)
		return
	}
	p.qr = qrImage{forTrade: a.OutTradeNo, inverse: p.c.qrInverse, text: text, width: w, rows: h}
}
