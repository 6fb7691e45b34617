package tui

import (
	"context"
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

	lastRequest uint64    // the last request id handed out
	outbox      []tea.Msg // navigation posted during one Update
}

// session is who is at this terminal.
type session struct {
	cashier, terminal, shop string
	manager                 bool // may refund and see the day report
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

// post queues a navigation message; the root acts on it before it draws
// again, so a screen switch never shows a half-way frame.
func (c *common) post(msg tea.Msg) { c.outbox = append(c.outbox, msg) }

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
