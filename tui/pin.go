package tui

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// pinTries is how many wrong PINs in a row lock the prompt for
// pinLockout: the PIN is a few digits, so guessing must be slow.
const (
	pinTries   = 5
	pinLockout = time.Minute
)

// pinPrompt asks a cashier on the local till for the manager PIN before
// a manager's step (a refund, the day report). The root shows it over
// the active screen and takes every key while it is open; a right PIN
// makes the session a manager's until the next sale, then the step asked
// for goes on.
type pinPrompt struct {
	c       *common
	input   textinput.Model
	open    bool
	then    tea.Msg // the step to take once the PIN is right
	check   request
	errText string
	wrong   int
	locked  time.Time // no tries until then
}

type (
	// askPINMsg asks for the manager PIN, then sends then.
	askPINMsg struct{ then tea.Msg }
	// pinCheckedMsg is the answer of the PIN check (bcrypt: slow, so off
	// the update loop).
	pinCheckedMsg struct {
		id  uint64
		err error
	}
)

func newPINPrompt(c *common) *pinPrompt {
	in := newInput(c)
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.CharLimit = 12
	in.Prompt = ""
	in.Cursor.Style = c.styles.Cursor
	return &pinPrompt{c: c, input: in}
}

// ask opens the prompt for a step; a manager's session needs none.
func (p *pinPrompt) ask(then tea.Msg) tea.Cmd {
	if p.c.manager() {
		p.c.post(then)
		return nil
	}
	p.open, p.then, p.errText = true, then, ""
	p.input.SetValue("")
	return p.input.Focus()
}

func (p *pinPrompt) close() {
	p.open, p.then, p.check = false, nil, request{}
	p.input.Blur()
}

// Update takes a key, or the check's answer.
func (p *pinPrompt) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pinCheckedMsg:
		p.checked(msg)
	case tea.KeyMsg:
		if p.check.busy() {
			return nil
		}
		switch msg.Type {
		case tea.KeyEsc:
			p.close()
			return nil
		case tea.KeyEnter:
			return p.submit()
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd
	}
	return nil
}

// submit checks the PIN typed, unless too many were wrong.
func (p *pinPrompt) submit() tea.Cmd {
	if now := p.c.now(); now.Before(p.locked) {
		p.errText = p.c.t("e.pinlocked")
		return nil
	}
	hash, pin, id := p.c.pinHash, p.input.Value(), p.check.start(p.c)
	p.input.SetValue("")
	return func() tea.Msg { return pinCheckedMsg{id, pos.CheckPIN(hash, pin)} }
}

func (p *pinPrompt) checked(msg pinCheckedMsg) {
	if !p.check.answered(msg.id) {
		return
	}
	switch {
	case msg.err == nil:
		p.c.elevated, p.wrong = true, 0
		then := p.then
		p.close()
		p.c.post(then)
	case errors.Is(msg.err, pos.ErrWrongPIN) || errors.Is(msg.err, pos.ErrBadPIN):
		p.wrong++
		p.errText = p.c.t("e.wrongpin")
		if p.wrong >= pinTries {
			p.wrong, p.locked = 0, p.c.now().Add(pinLockout)
			p.errText = p.c.t("e.pinlocked")
		}
	default: // no PIN set up: say how to set one
		p.errText = Explain(p.c.lang, msg.err, "", 0)
	}
}

// View is the prompt's lines.
func (p *pinPrompt) View() string {
	st := p.c.styles
	s := st.Title.Render(p.c.t("pin.ask")) + " " + p.input.View()
	if p.check.busy() {
		s += "  " + st.Muted.Render(p.c.t("pin.checking"))
	}
	if p.errText != "" {
		s += "\n" + st.Error.Render(p.errText)
	}
	return s
}
