package tui

import (
	"context"
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/payments"
	"qrtill/pos"
)

// screen is the contract every screen keeps (soft-serve's
// common.Component): a Bubble Tea model that updates in place (its
// Update returns itself), a key map for the help bar, and a size.
type screen interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// textEntry is a screen that may be taking typed text; while it is, a
// printable help key (?) is text, not help.
type textEntry interface {
	typing() bool
}

// common is what every screen of one session shares: the session's
// context (its end cancels the screens' till calls), the till and
// catalog, who is at the till, the language, the styles and keys built
// for this session, the logger and the terminal's size. Screens read it
// and reach other screens only by posting navigation messages.
type common struct {
	ctx     context.Context
	till    Till
	catalog *pos.Catalog
	lang    Lang
	styles  Styles
	keys    KeyMap
	log     *slog.Logger
	who     session

	width, height int  // the terminal's; 0 = not known yet
	qrInverse     bool // draw QR codes for a light terminal
	ticks         bool // run the clock and spinner (tests turn them off)
	loneWindow    time.Duration

	printer   Printer      // nil: no printer
	printJobs map[int]bool // the jobs this session queued
	printNote string       // what became of this session's last job
	printOK   bool         // … and whether it printed

	pinHash  string // the manager PIN's hash ([manager] pin_hash)
	askPIN   bool   // a cashier may become a manager with the PIN
	elevated bool   // the PIN was given; until the next sale
	flash    string // a refusal worded for the cashier, until the next key

	saveFailing bool // the order book does not take the till's writes
	demo        DemoInfo
	bell        func() // nil: none

	lastRequest uint64    // the last request id handed out
	outbox      []tea.Msg // navigation posted during one Update
}

// DemoInfo is what the screens show of a demo till.
type DemoInfo struct {
	On      bool
	Sandbox string // the sandbox gateway's address (its wallet page for phones)
	Data    string // the data dir
}

// session is who is at this terminal.
type session struct {
	cashier, terminal, shop string
	manager                 bool // may refund and see the day report
}

// manager reports whether manager steps (refunds, the day report) are
// allowed now: a manager's session, or the PIN was given.
func (c *common) manager() bool { return c.who.manager || c.elevated }

// mayManage reports whether manager steps are offered at all: to a
// manager, or to a cashier who can give the PIN.
func (c *common) mayManage() bool { return c.manager() || c.askPIN }

// roleCtx is the context for a till call that needs a manager: the
// session's, with the manager role when manager steps are allowed now.
func (c *common) roleCtx() context.Context {
	if c.manager() {
		return pos.WithRole(c.ctx, pos.RoleManager)
	}
	return c.ctx
}

// print queues a job on the printer and keeps its number (returned; 0
// when the printer would not take it), so the job's outcome shows on this
// session's screen; a job the printer cannot take is worded at once.
func (c *common) print(job func() (int, error)) int {
	if c.printer == nil {
		return 0
	}
	id, err := job()
	if err != nil {
		c.printNote, c.printOK = printErrorText(c.lang, err), false
		return 0
	}
	c.printJobs[id] = true
	return id
}

// printed takes a job's outcome, if the job is this session's.
func (c *common) printed(o PrintOutcome) bool {
	if !c.printJobs[o.Job] {
		return false
	}
	delete(c.printJobs, o.Job)
	c.printNote, c.printOK = o.Sentence(c.lang), o.OK
	return true
}

// t is a message in the session's language.
func (c *common) t(id string) string { return T(c.lang, id) }

// now is the till's clock.
func (c *common) now() time.Time { return c.till.Now() }

// fail words a till call's error for the cashier and logs its cause:
// the screen shows the sentence, the log keeps the detail.
func (c *common) fail(call string, err error, ch payments.Channel) string {
	c.log.Warn("till call failed", "call", call, "channel", string(ch), "err", err)
	return Explain(c.lang, err, ch, 0)
}

// post queues navigation messages; the root acts on them, in order,
// before it draws again, so a screen switch never shows a half-way frame.
func (c *common) post(msgs ...tea.Msg) { c.outbox = append(c.outbox, msgs...) }

// request is one kind of till call a screen makes, and the id of the call
// it is waiting for (0: none). Each answer carries the id of its call; an
// answer that is not the awaited one (a late answer for an old request)
// is dropped. Ids are unique in the session, so a screen that starts over
// never mistakes an old answer for a new one.
type request struct{ id uint64 }

// start marks a new call as awaited and returns its id.
func (r *request) start(c *common) uint64 {
	c.lastRequest++
	r.id = c.lastRequest
	return r.id
}

// busy reports whether a call is awaited.
func (r request) busy() bool { return r.id != 0 }

// answered reports whether id is the awaited call, and stops awaiting it.
func (r *request) answered(id uint64) bool {
	if id == 0 || id != r.id {
		return false
	}
	r.id = 0
	return true
}

// frame is a screen's drawing area below the header and above the help
// bar; 0 = not known yet.
type frame struct{ width, height int }

// SetSize sets the drawing area.
func (f *frame) SetSize(width, height int) { f.width, f.height = width, height }

// newInput is a text input that does not blink: a blinking cursor
// redraws the line twice a second, bytes to every kiosk for nothing.
func newInput(c *common) textinput.Model {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic)
	in.PlaceholderStyle = c.styles.Placeholder
	in.Cursor.Style = c.styles.Cursor
	return in
}
