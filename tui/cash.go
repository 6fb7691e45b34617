package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// quickCash are the notes the cash entry offers with one key (F5–F8).
var quickCash = []pos.Money{10_00, 20_00, 50_00, 100_00}

// cashEntry takes the cash the customer hands over: an amount and Enter,
// Enter alone for the exact total, or a quick note with F5–F8. The pay
// screen makes the call.
type cashEntry struct {
	c     *common
	input textinput.Model
	open  bool
}

func newCashEntry(c *common) cashEntry {
	in := newInput(c)
	in.Prompt = "¥ "
	in.CharLimit = 16
	in.PlaceholderStyle = c.styles.Placeholder
	in.Cursor.Style = c.styles.Cursor
	return cashEntry{c: c, input: in}
}

// start opens the entry for a total; the placeholder says Enter alone
// is the exact amount.
func (e *cashEntry) start(total pos.Money) tea.Cmd {
	e.open = true
	e.input.SetValue("")
	e.input.Placeholder = total.Yuan()
	return e.input.Focus()
}

func (e *cashEntry) close() {
	e.open = false
	e.input.Blur()
}

// cashStep is what a key did in the entry.
type cashStep struct {
	given   pos.Money // > 0 with ok: pay with this much cash
	ok      bool      // the amount is checked: pay
	problem string    // why the amount is refused
	cmd     tea.Cmd
}

// key handles a key in the entry for a sale of total.
func (e *cashEntry) key(msg tea.KeyMsg, total pos.Money) cashStep {
	k := e.c.keys.Cash
	for i, b := range []key.Binding{k.Ten, k.Twenty, k.Fifty, k.Hundred} {
		if key.Matches(msg, b) {
			e.input.SetValue(quickCash[i].Yuan())
			return e.check(total)
		}
	}
	switch msg.Type {
	case tea.KeyEsc:
		e.close()
		return cashStep{}
	case tea.KeyEnter:
		return e.check(total)
	}
	var cmd tea.Cmd
	e.input, cmd = e.input.Update(msg)
	return cashStep{cmd: cmd}
}

// check reads the amount typed: Enter alone is the exact total; too
// little or too much is a sentence and nothing is paid.
func (e *cashEntry) check(total pos.Money) cashStep {
	given, err := pos.ParseCashGiven(e.input.Value())
	if err == nil {
		_, _, err = pos.CashChange(total, given)
	}
	if err != nil {
		return cashStep{problem: Explain(e.c.lang, err, "", 0)}
	}
	if given == 0 {
		given = total
	}
	return cashStep{given: given, ok: true}
}

// View is the entry: the question, the amount, the quick notes that
// cover the total, and the change the amount typed would give.
func (e *cashEntry) View(total pos.Money) string {
	st := e.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(e.c.t("cash.given")) + "  " + e.input.View() + "\n")
	var notes []string
	k := e.c.keys.Cash
	for i, b := range []key.Binding{k.Ten, k.Twenty, k.Fifty, k.Hundred} {
		if quickCash[i] >= total {
			notes = append(notes, st.Key.Render(b.Help().Key)+" "+quickCash[i].String())
		}
	}
	if len(notes) > 0 {
		b.WriteString(st.Muted.Render(e.c.t("cash.quick")+" ") + strings.Join(notes, "  ") + "\n")
	}
	b.WriteString(st.Muted.Render(e.c.t("cash.exact")) + "\n")
	if given, err := pos.ParseCashGiven(e.input.Value()); err == nil && given > 0 {
		if _, change, err := pos.CashChange(total, given); err == nil {
			b.WriteString(fmt.Sprintf("%s %s\n", e.c.t("cash.change"), change))
		}
	}
	return b.String()
}
