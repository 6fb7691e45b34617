package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// reconcileScreen settles the payments left open by the last run before
// the first sale (DESIGN.md "Truth and safety rules"), and lists what
// moved.
type reconcileScreen struct {
	c *common
	frame
	call    request // the Reconcile call
	changes []pos.Change
	errText string
	held    []tea.KeyMsg // keys typed while it ran: the first sale's, given to it after
}

// reconciledMsg is the till's answer to Reconcile.
type reconciledMsg struct {
	id      uint64
	changes []pos.Change
	err     error
}

// newReconcileScreen builds the screen, already waiting for the call its
// Init makes.
func newReconcileScreen(c *common) *reconcileScreen {
	r := &reconcileScreen{c: c}
	r.call.start(c)
	return r
}

// Init asks the till to reconcile.
func (r *reconcileScreen) Init() tea.Cmd {
	c, id := r.c, r.call.id
	return func() tea.Msg {
		changes, err := c.till.Reconcile(c.ctx)
		return reconciledMsg{id, changes, err}
	}
}

// ShortHelp is the help bar: the screen words its one key itself.
func (r *reconcileScreen) ShortHelp() []key.Binding { return []key.Binding{r.c.keys.Global.Quit} }

// FullHelp is every key of the reconcile screen.
func (r *reconcileScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{r.c.keys.Reconcile.Continue, r.c.keys.Global.Quit}}
}

// Update takes the till's answer; Enter, once it is in, goes to the sale.
func (r *reconcileScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case reconciledMsg:
		if r.call.answered(msg.id) {
			r.changes = msg.changes
			if msg.err != nil {
				r.errText = r.c.fail("reconcile", msg.err, "")
			}
			if len(r.changes) == 0 && msg.err == nil {
				r.toSale() // nothing was open: straight to the sale
			}
		}
	case tea.KeyMsg:
		switch {
		case r.call.busy():
			r.held = append(r.held, msg) // no sale before the reconcile; keep the keys for it
		case key.Matches(msg, r.c.keys.Reconcile.Continue):
			r.toSale()
		case msg.Type == tea.KeyRunes: // a scan or a name: the first sale's
			r.held = append(r.held, msg)
			r.toSale()
		}
	}
	return r, nil
}

// toSale goes to the sale, with the keys typed meanwhile.
func (r *reconcileScreen) toSale() {
	r.c.post(backToSaleMsg{}, replayKeysMsg{keys: r.held})
	r.held = nil
}

// View lists what the reconcile settled.
func (r *reconcileScreen) View() string {
	st, c := r.c.styles, r.c
	if r.call.busy() {
		return c.t("reconciling")
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(c.t("reconciled")) + "\n\n")
	if r.errText != "" {
		b.WriteString(st.Error.Render(r.errText) + "\n")
	}
	if len(r.changes) == 0 {
		b.WriteString(c.t("nothing") + "\n")
	}
	cols := []column{{width: 24}, {width: 16}, {width: 30}}
	for _, ch := range r.changes {
		problem := ""
		if ch.Err != nil {
			problem = st.Warn.Render(c.t("reconcile.retrying"))
		}
		b.WriteString("  " + tableRow(cols, ch.OrderNumber, statusWord(c.lang, ch.To), problem) + "\n")
	}
	return b.String() + "\n" + c.t("continue")
}
