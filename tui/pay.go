package tui

import (
	"github.com/charmbracelet/bubbles/key"
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
	call    request // a Pay, PayByCode, PayCash or Reopen call; while it runs, choices wait
	errText string  // the last problem, worded for the cashier
	events  []string
	poll    *pos.PollStatus
	qr      qrImage

	code    codeLine  // digits typed: a key pressed alone, or a scanned payment code
	pending string    // a code scanned while a call ran; charged when it answers
	cash    cashEntry // the cash given, while it is asked
	unpaid  bool      // the order was unpaid when opened here: its PAID is news
}

// qrImage is the drawn QR of one attempt.
type qrImage struct {
	forTrade    string // out_trade_no the drawing belongs to
	inverse     bool   // drawn for a light terminal
	text        string
	width, rows int
}

// payReplyMsg is the till's answer to the pay screen's Pay, PayByCode,
// PayCash or Cancel.
type payReplyMsg struct {
	id     uint64
	number string // the order asked about
	order  pos.Order
	err    error
	ch     payments.Channel // the channel asked for, to word an error
}

// reopenedMsg is the till's answer to Reopen (Esc: back to the basket).
type reopenedMsg struct {
	id    uint64
	order pos.Order
	err   error
}

func newPayScreen(c *common) *payScreen {
	return &payScreen{c: c, cash: newCashEntry(c)}
}

// Init does nothing: the screen starts when an order is opened on it.
func (p *payScreen) Init() tea.Cmd { return nil }

// open shows an order, forgetting the last one's calls, events and QR. A
// paid order goes straight to the receipt. autoPay starts the only
// configured channel at once (a fresh checkout on a one-channel till).
func (p *payScreen) open(o pos.Order, autoPay bool) tea.Cmd {
	*p = payScreen{c: p.c, frame: p.frame, cash: newCashEntry(p.c)}
	p.unpaid = !paidStatus(o.Status)
	p.setOrder(o)
	if chs := p.c.till.Channels(); autoPay && len(chs) == 1 {
		return p.startPay(chs[0])
	}
	return nil
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
	if p.cash.open {
		return []key.Binding{k.CashGiven, p.c.keys.Cash.Back, g.Help, g.Quit}
	}
	choose, open := p.canChoose(), !p.final() && !p.closing()
	return []key.Binding{enabledIf(k.Alipay, choose), enabledIf(k.WeChat, choose), enabledIf(k.Cash, choose),
		enabledIf(k.Code, choose), enabledIf(k.Back, p.canReopen()), enabledIf(k.Invert, open && p.qr.text != ""),
		enabledIf(k.Next, p.final() || p.closing()), g.Help, g.Quit}
}

// FullHelp is every key of the pay screen.
func (p *payScreen) FullHelp() [][]key.Binding {
	k := p.c.keys.Pay
	return [][]key.Binding{{k.Alipay, k.WeChat, k.Cash, k.Code, k.Back, k.Invert, k.Next}}
}

// typing reports whether a cash amount or a code is being typed (then ?
// is text).
func (p *payScreen) typing() bool { return p.cash.open || !p.code.empty() }

// canReopen reports whether Esc may take the sale back to the basket.
func (p *payScreen) canReopen() bool {
	return p.order.Status == pos.OrderOpen || p.order.Status == pos.OrderExpired ||
		(p.order.Status == pos.OrderAwaitingPayment && !p.closing())
}

// Update handles the pay screen's keys, its calls' answers and the
// till's broadcasts about its order.
func (p *payScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case payReplyMsg:
		return p, p.replied(msg)
	case reopenedMsg:
		p.reopened(msg)
	case loneKeyMsg:
		if d, ok := p.code.lone(msg); ok {
			return p, p.loneDigit(d)
		}
	case UpdateMsg:
		p.broadcast(msg.Update)
	case tea.KeyMsg:
		return p, p.key(msg)
	}
	return p, nil
}

// key handles a key. Digits go to the code line (a digit pressed alone
// chooses; a burst ending in Enter is a payment code); the cash entry,
// while open, takes every key.
func (p *payScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys.Pay
	switch {
	case p.cash.open:
		return p.cashKey(msg)
	case msg.Type == tea.KeyRunes && allDigits(msg.Runes):
		return p.code.add(msg.Runes, p.c.loneWindow)
	case msg.Type == tea.KeyEnter && !p.code.empty():
		return p.scanned(p.code.take())
	case msg.Type == tea.KeyBackspace && !p.code.empty():
		p.code.backspace()
	case msg.Type == tea.KeyEsc && !p.code.empty():
		p.code.clear()
	case p.final() && (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) && !key.Matches(msg, k.Invert):
		return p.nextSaleWith(msg) // the next customer's first scan or name
	case key.Matches(msg, k.Invert):
		p.c.qrInverse = !p.c.qrInverse
		p.drawQR()
	case key.Matches(msg, k.Back):
		return p.escape()
	case key.Matches(msg, k.Next) && (p.final() || p.closing()):
		// While a close is unconfirmed the till keeps closing the QR in the
		// background (and refunds a payment that lands after all), so the
		// cashier may go on.
		p.c.post(nextSaleMsg{})
	}
	return nil
}

// loneDigit acts on a digit pressed alone: 1 Alipay, 2 WeChat Pay, 3
// cash. On a sale that is over, a digit starts the next sale.
func (p *payScreen) loneDigit(d rune) tea.Cmd {
	if p.order.Status == pos.OrderCancelled {
		p.c.post(nextSaleMsg{}, replayKeysMsg{keys: []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{d}}}})
		return nil
	}
	if !p.canChoose() || p.call.busy() {
		p.errText = p.c.t("e.wait")
		return nil
	}
	switch d {
	case '1':
		return p.startPay(payments.Alipay)
	case '2':
		return p.startPay(payments.WeChat)
	case '3':
		p.errText = ""
		return p.cash.start(p.order.Total)
	}
	p.errText = p.c.t("e.choose")
	return nil
}

// scanned takes what a scanner typed (digits and Enter): the customer's
// payment code is charged; anything else is a sentence and nothing is
// sent. On a sale that is over, a product's barcode starts the next sale.
func (p *payScreen) scanned(text string) tea.Cmd {
	ch, err := pos.CodeChannel(text)
	switch {
	case err != nil && p.final():
		return p.nextSaleWith(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text)}, tea.KeyMsg{Type: tea.KeyEnter})
	case err != nil:
		p.errText = Explain(p.c.lang, err, "", 0)
		return nil
	case p.order.Status == pos.OrderCancelled:
		p.errText = p.c.t("e.cancelledsale")
		return nil
	case p.call.busy():
		p.pending = text // charged once the call under way answers
		return nil
	}
	return p.startCode(text, ch)
}

// nextSaleWith starts the next sale and gives it the keys that began it,
// so the next customer's first scan is not lost.
func (p *payScreen) nextSaleWith(keys ...tea.KeyMsg) tea.Cmd {
	p.c.post(nextSaleMsg{}, replayKeysMsg{keys: keys})
	return nil
}

// escape is Esc: back to the basket to edit the sale (the till closes
// any open trade first), or on to the next sale when this one is over.
func (p *payScreen) escape() tea.Cmd {
	switch {
	case p.order.Status == pos.OrderCancelled:
		p.c.post(nextSaleMsg{})
		return nil
	case !p.canReopen() || p.call.busy():
		return nil
	}
	c, number, id := p.c, p.order.Number, p.call.start(p.c)
	return func() tea.Msg {
		o, err := c.till.Reopen(c.ctx, number)
		return reopenedMsg{id, o, err}
	}
}

// reopened takes the till's answer to Reopen: the basket to edit, or a
// payment that landed meanwhile, or why not yet.
func (p *payScreen) reopened(msg reopenedMsg) {
	if !p.call.answered(msg.id) || (msg.order.Number != "" && msg.order.Number != p.order.Number) {
		return
	}
	switch {
	case msg.err == nil:
		p.c.post(backToBasketMsg{order: msg.order})
	case msg.order.Number != "":
		p.setOrder(msg.order) // paid meanwhile: the receipt
		fallthrough
	default:
		a, _ := p.attempt()
		p.errText = p.c.fail("reopen", msg.err, a.Channel)
	}
}

// cashKey passes a key to the cash entry and pays once the amount is
// checked.
func (p *payScreen) cashKey(msg tea.KeyMsg) tea.Cmd {
	step := p.cash.key(msg, p.order.Total)
	p.errText = step.problem
	if !step.ok {
		return step.cmd
	}
	if p.call.busy() {
		return nil
	}
	p.cash.close()
	c, number, id, given := p.c, p.order.Number, p.call.start(p.c), step.given
	return func() tea.Msg {
		o, err := c.till.PayCash(c.ctx, number, given)
		return payReplyMsg{id: id, number: number, order: o, err: err, ch: payments.Cash}
	}
}

// startCode charges the customer's payment code.
func (p *payScreen) startCode(code string, ch payments.Channel) tea.Cmd {
	p.errText = ""
	c, number, id := p.c, p.order.Number, p.call.start(p.c)
	return func() tea.Msg {
		o, err := c.till.PayByCode(c.ctx, number, code)
		return payReplyMsg{id: id, number: number, order: o, err: err, ch: ch}
	}
}

func (p *payScreen) startPay(ch payments.Channel) tea.Cmd {
	p.errText = ""
	c, number, id := p.c, p.order.Number, p.call.start(p.c)
	return func() tea.Msg {
		o, err := c.till.Pay(c.ctx, number, ch)
		return payReplyMsg{id: id, number: number, order: o, err: err, ch: ch}
	}
}

// replied takes the answer to the screen's own call, then charges a code
// scanned while it ran.
func (p *payScreen) replied(msg payReplyMsg) tea.Cmd {
	if msg.number != p.order.Number || !p.call.answered(msg.id) {
		return nil // an answer about an earlier sale or call
	}
	if msg.order.Number != "" {
		p.setOrder(msg.order)
	}
	if msg.err != nil {
		p.errText = p.c.fail("pay", msg.err, msg.ch)
	}
	if code := p.pending; code != "" && !paidStatus(p.order.Status) {
		p.pending = ""
		return p.scanned(code)
	}
	return nil
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
	if paidStatus(o.Status) {
		p.c.post(openReceiptMsg{order: o, fresh: p.unpaid})
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

// paidStatus reports whether an order in st was paid (and maybe refunded since).
func paidStatus(st pos.OrderStatus) bool {
	return st == pos.OrderPaid || st == pos.OrderPartiallyRefunded || st == pos.OrderRefunded
}
