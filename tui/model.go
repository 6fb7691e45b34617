// Package tui is the till's screens, on Bubble Tea. Each screen is its own
// component (reconcile at start, sale, pay, receipt, orders, day report,
// help) with its model, key map, size and view, sharing one common
// (session context, till, language, styles, keys, logger). The root model
// routes: it handles quit, help, resize, notices and the till's
// broadcasts, forwards everything else to the active screen only, and
// switches screens on the typed navigation messages they post. All I/O
// runs in tea.Cmds against the Till interface, under the session's
// context, and every answer is tagged with its request so a late one is
// dropped.
package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

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

	// The counter: customer-presented codes, cash, going back to edit a
	// sale, and the day report (a manager's).
	PayByCode(ctx context.Context, number, code string) (pos.Order, error)
	PayCash(ctx context.Context, number string, given pos.Money) (pos.Order, error)
	Reopen(ctx context.Context, number string) (pos.Order, error)
	Amend(ctx context.Context, number string, lines []pos.Line) (pos.Order, error)
	DayReport(ctx context.Context, day time.Time) (pos.DayReport, error)
}

// Options configure the screens of one terminal.
type Options struct {
	Till              Till
	Catalog           *pos.Catalog
	Cashier, Terminal string
	Lang              Lang
	ShopName          string
	Renderer          *lipgloss.Renderer // per SSH session; nil = default
	Width, Height     int
	Reconcile         bool // settle open payments before the first sale
	Manager           bool // may refund and see the day report
	// QRInvert is [tui] qr_invert: "auto" (or "") draws the QR's dark
	// modules dark on the terminal's own background, as the renderer
	// detects it (per SSH session too); "true" and "false" force it.
	QRInvert           string
	Updates            <-chan pos.Update
	StopUpdates        func()
	DisableTickSeconds bool // tests: no clock or spinner ticks
	// Context is the session's: the screens' till calls run under it and
	// end with it. nil = context.Background().
	Context context.Context
	// Logger gets the causes behind the sentences the screens show.
	// nil = discard.
	Logger *slog.Logger
	// Printer is the receipt printer; nil = none.
	Printer Printer
	// PINHash is the manager PIN's bcrypt hash ([manager] pin_hash). With
	// AskPIN (the local till, where nobody signs in) a cashier's refund or
	// day report asks for the manager PIN; elsewhere (kiosks, whose role
	// comes from their key) they are refused.
	PINHash string
	AskPIN  bool
	// Bell rings the terminal's bell (writes BEL to it), once when a sale
	// is paid; nil = no bell.
	Bell func()
	// Demo marks a demo till: DEMO in every header, and on the help
	// screen the sandbox's address and the data dir.
	Demo DemoInfo
	// LoneKeyWindow is how soon after a key another must come for the two
	// to be one scanner burst rather than a key pressed alone; 0 = 150 ms.
	LoneKeyWindow time.Duration
}

// chromeRows are the rows around a screen: the header line and the help
// bar pinned to the last row.
const chromeRows = 2

// Messages from outside the screens.
type (
	// UpdateMsg is a change broadcast by the till.
	UpdateMsg struct{ Update pos.Update }
	// ShowOrderMsg opens the pay screen on an existing order (pay again).
	ShowOrderMsg struct{ Order pos.Order }
	// NoticeMsg shows a line to the cashier on every screen (e.g. the
	// server is shutting down).
	NoticeMsg struct{ Text string }

	clockMsg         time.Time
	updatesClosedMsg struct{}
	// printedMsg is what became of a print job.
	printedMsg struct{ outcome PrintOutcome }
)

// Model is the root of the till's screens.
type Model struct {
	c           *common
	help        help.Model
	showHelp    bool
	notice      string
	updates     <-chan pos.Update
	stopUpdates func()
	prints      <-chan PrintOutcome
	stopPrints  func()

	active    screen
	reconcile *reconcileScreen
	sale      *saleScreen
	pay       *payScreen
	receipt   *receiptScreen
	orders    *ordersScreen
	report    *reportScreen
	keyList   *helpScreen // shown over the active screen
	pin       *pinPrompt  // the manager PIN, asked over the active screen
}

// New builds the root model and its screens.
func New(opts Options) *Model {
	c := newCommon(opts)
	page := &bookPage{}
	m := &Model{c: c, help: help.New(), updates: opts.Updates, stopUpdates: opts.StopUpdates,
		reconcile: newReconcileScreen(c), sale: newSaleScreen(c), pay: newPayScreen(c), receipt: newReceiptScreen(c),
		orders: newOrdersScreen(c, page), report: newReportScreen(c, page), keyList: newHelpScreen(c), pin: newPINPrompt(c)}
	m.help.Styles = c.styles.Help
	if opts.Printer != nil {
		m.prints, m.stopPrints = opts.Printer.Outcomes()
	}
	m.active = m.sale
	if opts.Reconcile {
		m.active = m.reconcile
	}
	m.setSize(opts.Width, opts.Height)
	return m
}

// newCommon builds what the screens of one session share.
func newCommon(opts Options) *common {
	if opts.Lang != Chinese {
		opts.Lang = English
	}
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &common{
		ctx: ctx, till: opts.Till, catalog: opts.Catalog, lang: opts.Lang,
		styles: DefaultStyles(r), keys: DefaultKeyMap(opts.Lang).ForRole(opts.Manager || opts.AskPIN),
		log:       log.With("terminal", opts.Terminal, "cashier", opts.Cashier),
		who:       session{cashier: opts.Cashier, terminal: opts.Terminal, shop: opts.ShopName, manager: opts.Manager},
		qrInverse: qrInverse(opts.QRInvert, r), ticks: !opts.DisableTickSeconds, loneWindow: opts.LoneKeyWindow,
		printer: opts.Printer, printJobs: map[int]bool{}, pinHash: opts.PINHash, askPIN: opts.AskPIN && !opts.Manager,
		demo: opts.Demo, bell: opts.Bell,
	}
}

// qrInverse reports whether the QR is drawn for a light background: as
// the setting says, else as the renderer's terminal is.
func qrInverse(setting string, r *lipgloss.Renderer) bool {
	switch setting {
	case "true":
		return true
	case "false":
		return false
	}
	return !r.HasDarkBackground()
}

// Init starts listening to the till, the clock, and the first screen
// (the reconcile, when asked for, or the sale).
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.listen(), m.listenPrints(), m.active.Init()}
	if m.c.ticks {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

// tick is the clock the pay screen's elapsed and remaining times follow.
func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return clockMsg(t) })
}

// listen reads one till update; it is re-armed after each.
func (m *Model) listen() tea.Cmd {
	ch := m.updates
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

// listenPrints reads one print outcome; it is re-armed after each.
func (m *Model) listenPrints() tea.Cmd {
	ch := m.prints
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		o, ok := <-ch
		if !ok {
			return nil
		}
		return printedMsg{o}
	}
}

// maxPosted bounds the navigation one message may set off.
const maxPosted = 8

// Update routes one message, then acts on the navigation the screens
// posted meanwhile, so the next frame already shows the new screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.route(msg)}
	for i := 0; i < maxPosted && len(m.c.outbox) > 0; i++ {
		next := m.c.outbox[0]
		m.c.outbox = m.c.outbox[1:]
		cmds = append(cmds, m.route(next))
	}
	if len(m.c.outbox) > 0 {
		m.c.log.Error("screens kept switching; navigation dropped", "left", len(m.c.outbox))
		m.c.outbox = nil
	}
	return m, tea.Batch(cmds...)
}

// route handles what the root owns and forwards the rest to the active
// screen.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return nil
	case clockMsg:
		return tick() // the redraw after it moves the pay screen's clock
	case UpdateMsg:
		if sv := msg.Update.Save; sv != nil {
			m.c.saveFailing = !sv.OK
			return m.listen()
		}
		return tea.Batch(m.forward(msg), m.listen())
	case updatesClosedMsg:
		return nil
	case printedMsg:
		if !m.c.printed(msg.outcome) {
			return m.listenPrints() // another session's job
		}
		return tea.Batch(m.forward(msg), m.listenPrints())
	case NoticeMsg:
		m.notice = msg.Text
		return nil
	case ShowOrderMsg:
		cmd, _ := m.navigate(openPayMsg{order: msg.Order})
		return cmd
	case askPINMsg:
		return m.pin.ask(msg.then)
	case pinCheckedMsg:
		return m.pin.Update(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	if cmd, ok := m.navigate(msg); ok {
		return cmd
	}
	return m.forward(msg)
}

// key handles quit and help; any other key goes to the active screen.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	g := m.c.keys.Global
	m.c.flash = ""
	switch {
	case key.Matches(msg, g.Quit):
		if m.stopUpdates != nil {
			m.stopUpdates()
		}
		if m.stopPrints != nil {
			m.stopPrints()
		}
		return tea.Quit
	case m.pin.open:
		return m.pin.Update(msg)
	case m.showHelp:
		m.showHelp = false // any key closes help; a scan or name goes on to the screen
		if key.Matches(msg, g.Help) || (msg.Type != tea.KeyRunes && msg.Type != tea.KeyEnter) {
			return nil
		}
	case key.Matches(msg, g.Help) && !m.typed(msg):
		m.showHelp = true
		return nil
	}
	return m.forward(msg)
}

// typed reports whether a key is text for the active screen (? while the
// scan line holds text).
func (m *Model) typed(msg tea.KeyMsg) bool {
	t, ok := m.active.(textEntry)
	return ok && msg.Type == tea.KeyRunes && t.typing()
}

// forward passes a message to the active screen (screens update in place).
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	_, cmd := m.active.Update(msg)
	return cmd
}

// setSize records the terminal's size and gives every screen the rows
// between the header and the help bar.
func (m *Model) setSize(width, height int) {
	m.c.width, m.c.height = width, height
	m.help.Width = width
	body := 0
	if height > 0 {
		body = max(height-chromeRows, 0)
	}
	for _, s := range m.screens() {
		s.SetSize(width, body)
	}
}

func (m *Model) screens() []screen {
	return []screen{m.reconcile, m.sale, m.pay, m.receipt, m.orders, m.report, m.keyList}
}

// Minimum window: below it the screens say how big to make it.
const (
	minWidth  = 44
	minHeight = 16
)

// View draws the header line, the active screen (or help over it) and
// the active screen's help bar, pinned to the last row.
func (m *Model) View() string {
	c := m.c
	if c.width > 0 && (c.width < minWidth || c.height < minHeight) {
		return m.viewTiny()
	}
	body := m.active.View()
	if m.showHelp {
		body = m.keyList.View()
	}
	if m.pin.open {
		body = m.pin.View() + "\n\n" + body
	}
	if c.height > 0 {
		body = fitRows(body, c.height-chromeRows)
	}
	return m.header() + "\n" + body + "\n" + m.help.View(m.active)
}

// header is the one line above every screen: the till, DEMO in demo
// mode, then what the cashier must know now — the order book refusing
// writes first — then the shop and who is at the till, cut to the width.
func (m *Model) header() string {
	c := m.c
	st := c.styles
	h := st.Title.Render(c.t("title"))
	if c.demo.On {
		h += " " + st.Demo.Render("DEMO")
	}
	var notes []string
	switch {
	case c.saveFailing: // lasting, until the order book takes writes again
		notes = append(notes, st.Error.Render(c.t("e.cannotsave")))
	case c.flash != "":
		notes = append(notes, st.Error.Render(c.flash))
	}
	if m.notice != "" {
		notes = append(notes, st.Warn.Render(m.notice))
	}
	if c.printNote != "" {
		style := st.Muted
		if !c.printOK {
			style = st.Warn
		}
		notes = append(notes, style.Render(c.printNote))
	}
	notes = append(notes, st.Muted.Render(c.who.shop+" · "+c.who.cashier))
	h += "  " + strings.Join(notes, "  ")
	if c.width > 0 {
		h = ansi.Truncate(h, c.width, "…")
	}
	return h
}

// viewTiny says how big to make the window, in words that fit the
// window as it is.
func (m *Model) viewTiny() string {
	msg := fmt.Sprintf(m.c.t("tiny"), minWidth, minHeight)
	return fitRows(wrapCells(msg, m.c.width), m.c.height)
}

// fitRows makes s exactly rows lines: cut below, padded with blank lines.
func fitRows(s string, rows int) string {
	if rows <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > rows {
		lines = lines[:rows]
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
