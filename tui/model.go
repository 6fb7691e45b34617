// Package tui is the till's screens, on Bubble Tea: reconcile at start,
// the sale screen (the scan line always has focus), the pay screen (QR
// drawn with block characters, live status pane), the receipt and help.
// All I/O runs in tea.Cmds against the Till interface; till updates come
// in as UpdateMsg.
package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"qrtill/payments"
	"qrtill/pos"
)

// Till is what the screens need of the till service (*pos.Till).
type Till interface {
	Checkout(ctx context.Context, lines []pos.Line, cashier, terminal string) (pos.Order, error)
	Pay(ctx context.Context, number string, ch payments.Channel) (pos.Order, error)
	Cancel(ctx context.Context, number string) (pos.Order, error)
	Refund(ctx context.Context, number string, amount pos.Money, reason string) (pos.Order, error)
	Reconcile(ctx context.Context) ([]pos.Change, error)
	Order(ctx context.Context, number string) (pos.Order, error)
	OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error)
	Events(ctx context.Context, number string) ([]pos.Event, error)
	Subscribe() (<-chan pos.Update, func())
	Channels() []payments.Channel
	Now() time.Time
}

// Options configure the screens of one terminal.
type Options struct {
	Till               Till
	Catalog            *pos.Catalog
	Cashier, Terminal  string
	Lang               Lang
	ShopName           string
	Renderer           *lipgloss.Renderer // per SSH session; nil = default
	Width, Height      int
	Reconcile          bool // settle open payments before the first sale
	Manager            bool // may refund and see the day report
	Inverse            bool // QR colours for light terminals
	Updates            <-chan pos.Update
	StopUpdates        func()
	DisableTickSeconds bool // tests: no clock ticks
}

type screen int

const (
	screenReconcile screen = iota
	screenSale
	screenPay
	screenReceipt
	screenOrders
)

// Messages the screens exchange. Replies carry the order number they are
// about, so a stale one is dropped.
type (
	// UpdateMsg is a change broadcast by the till.
	UpdateMsg     struct{ Update pos.Update }
	reconciledMsg struct {
		changes []pos.Change
		err     error
	}
	checkedOutMsg struct {
		order pos.Order
		err   error
	}
	// orderReplyMsg is the till's answer to Pay or Cancel on an order.
	orderReplyMsg struct {
		number string
		order  pos.Order
		err    error
	}
	tickMsg          time.Time
	updatesClosedMsg struct{}
)

// ShowOrderMsg opens the pay screen on an existing order (pay again).
type ShowOrderMsg struct{ Order pos.Order }

// NoticeMsg shows a line to the cashier on every screen (e.g. the server
// is shutting down).
type NoticeMsg struct{ Text string }

// Model is the root of the till's screens.
type Model struct {
	opts     Options
	lang     Lang
	keys     KeyMap
	styles   Styles
	help     help.Model
	width    int
	height   int
	screen   screen
	showHelp bool

	// reconcile
	reconciling bool
	changes     []pos.Change
	reconErr    error

	// sale
	input   textinput.Model
	basket  *pos.Basket
	cursor  int
	matches []pos.Product
	saleErr string

	// pay
	pay  payState
	spin spinner.Model

	// receipt
	receipt pos.Order

	// orders and report
	orders ordersState

	notice string
}

// New builds the root model.
func New(opts Options) *Model {
	if opts.Lang != Chinese {
		opts.Lang = English
	}
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	in := textinput.New()
	in.Placeholder = T(opts.Lang, "scan")
	in.Prompt = "▶ "
	in.CharLimit = 64
	in.Focus()
	m := &Model{opts: opts, lang: opts.Lang, keys: DefaultKeyMap(opts.Lang), styles: DefaultStyles(r),
		help: help.New(), width: opts.Width, height: opts.Height, input: in, basket: pos.NewBasket(opts.Catalog)}
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	m.screen = screenSale
	if opts.Reconcile {
		m.screen, m.reconciling = screenReconcile, true
	}
	m.pay.inverse = opts.Inverse
	return m
}

// Init starts listening to the till and, if asked, reconciles.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{textinput.Blink, m.listen()}
	if m.reconciling {
		cmds = append(cmds, func() tea.Msg {
			ch, err := m.opts.Till.Reconcile(context.Background())
			return reconciledMsg{ch, err}
		})
	}
	if !m.opts.DisableTickSeconds {
		cmds = append(cmds, tick(), m.spin.Tick)
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// listen reads one till update; it is re-armed after each.
func (m *Model) listen() tea.Cmd {
	ch := m.opts.Updates
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		u, ok := <-ch
		if !ok {
			return updatesClosedMsg{}
		}
		return UpdateMsg{u}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case tickMsg:
		return m, tick()
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case UpdateMsg:
		cmd := m.onUpdate(msg.Update)
		return m, tea.Batch(cmd, m.onOrdersUpdate(msg.Update), m.listen())
	case updatesClosedMsg:
		return m, nil
	case NoticeMsg:
		m.notice = msg.Text
		return m, nil
	case ShowOrderMsg:
		m.screen = screenPay
		m.pay = payState{inverse: m.pay.inverse, started: m.opts.Till.Now()}
		m.setPayOrder(msg.Order)
		return m, nil
	case reconciledMsg:
		m.reconciling, m.changes, m.reconErr = false, msg.changes, msg.err
		return m, nil
	case tea.KeyMsg:
		if key.Matches(msg, m.keys.Quit) {
			if m.opts.StopUpdates != nil {
				m.opts.StopUpdates()
			}
			return m, tea.Quit
		}
		if m.showHelp {
			m.showHelp = false
			return m, nil
		}
		if key.Matches(msg, m.keys.Help) && (msg.String() != "?" || m.input.Value() == "" || m.screen != screenSale) {
			m.showHelp = true
			return m, nil
		}
	}
	if k, ok := msg.(tea.KeyMsg); ok && (m.screen == screenSale || m.screen == screenReceipt) && m.input.Value() == "" {
		switch {
		case key.Matches(k, m.keys.Orders):
			return m, m.openOrders(false)
		case key.Matches(k, m.keys.Report) && m.opts.Manager:
			return m, m.openOrders(true)
		}
	}
	switch m.screen {
	case screenOrders:
		return m, m.updateOrders(msg)
	case screenReconcile:
		if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEnter && !m.reconciling {
			m.screen = screenSale
		}
		return m, nil
	case screenSale:
		return m, m.updateSale(msg)
	case screenPay:
		return m, m.updatePay(msg)
	case screenReceipt:
		if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, m.keys.Next) {
			m.newSale()
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) newSale() {
	m.screen = screenSale
	m.basket.Clear()
	m.cursor = 0
	m.input.SetValue("")
	m.matches = nil
	m.saleErr = ""
	m.pay = payState{inverse: m.pay.inverse}
}

// View draws the active screen.
func (m *Model) View() string {
	if m.width > 0 && (m.width < 60 || m.height < 16) {
		return T(m.lang, "tiny")
	}
	var body string
	switch {
	case m.showHelp:
		body = m.viewHelp()
	case m.screen == screenReconcile:
		body = m.viewReconcile()
	case m.screen == screenSale:
		body = m.viewSale()
	case m.screen == screenPay:
		body = m.viewPay()
	case m.screen == screenReceipt:
		body = m.viewReceipt()
	case m.screen == screenOrders:
		body = m.viewOrders()
	}
	header := m.styles.Title.Render(T(m.lang, "title")) + "  " + m.styles.Muted.Render(m.opts.ShopName+" · "+m.opts.Cashier)
	if m.notice != "" {
		header += "  " + m.styles.Warn.Render(m.notice)
	}
	sep := "\n\n"
	if m.height > 0 && lipgloss.Height(body)+4 > m.height {
		sep = "\n" // tight: no blank lines, so a QR that fits is drawn
	}
	return header + sep + body + sep + m.help.ShortHelpView(m.shortHelp())
}

func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	switch m.screen {
	case screenSale:
		return m.saleHelp()
	case screenOrders:
		return []key.Binding{k.Up, k.Open, k.PrevDay, k.NextDay, k.Filter, m.managerOnly(k.Refund), k.PayAgain, m.managerOnly(k.Report), k.Back}
	case screenPay:
		return m.payHelp()
	case screenReceipt:
		return []key.Binding{k.Next, k.Help, k.Quit}
	}
	return []key.Binding{k.Quit}
}

// managerOnly disables a manager's key for a cashier, so the help bar
// never offers what cannot be done.
func (m *Model) managerOnly(b key.Binding) key.Binding {
	b.SetEnabled(m.opts.Manager)
	return b
}

func (m *Model) viewHelp() string {
	var b strings.Builder
	b.WriteString(m.styles.Title.Render(T(m.lang, "help")) + "\n\n")
	k := m.keys
	for _, kb := range []key.Binding{k.Add, k.Up, k.Plus, k.Minus, k.Remove, k.Checkout, k.Alipay, k.WeChat, k.Cancel, k.Invert, k.Next,
		k.Orders, k.Open, k.PrevDay, k.NextDay, k.Filter, m.managerOnly(k.Refund), k.PayAgain, m.managerOnly(k.Report), k.Back, k.Help, k.Quit} {
		if !kb.Enabled() {
			continue
		}
		b.WriteString("  " + m.styles.Key.Render(strings.Join(kb.Keys(), "/")) + "  " + kb.Help().Desc + "\n")
	}
	return b.String()
}

func (m *Model) viewReconcile() string {
	if m.reconciling {
		return T(m.lang, "reconciling")
	}
	var b strings.Builder
	b.WriteString(m.styles.Title.Render(T(m.lang, "reconciled")) + "\n\n")
	if m.reconErr != nil {
		b.WriteString(m.styles.Error.Render(Explain(m.lang, m.reconErr, "", 0)) + "\n")
	}
	if len(m.changes) == 0 {
		b.WriteString(T(m.lang, "nothing") + "\n")
	}
	for _, c := range m.changes {
		b.WriteString("  " + c.OrderNumber + "  " + statusWord(m.lang, c.To) + "  " + m.styles.Muted.Render(c.Detail) + "\n")
	}
	return b.String() + "\n" + T(m.lang, "continue")
}

func statusWord(lang Lang, st pos.OrderStatus) string {
	switch st {
	case pos.OrderPaid:
		return T(lang, "st.paid")
	case pos.OrderCancelled:
		return T(lang, "st.cancelled")
	case pos.OrderExpired:
		return T(lang, "st.expired")
	}
	return string(st)
}
