package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"qrtill/pos"
)

// refundDialog asks for a refund amount (prefilled with all that may be
// refunded), then for y to confirm it; any other key at the confirmation
// stops. The orders screen makes the call.
type refundDialog struct {
	c       *common
	input   textinput.Model
	open    bool
	confirm pos.Money // > 0 while asking to confirm this amount
}

func newRefundDialog(c *common) refundDialog {
	in := newInput(c)
	in.Placeholder = "¥0.00"
	in.Prompt = "¥ "
	in.PlaceholderStyle = c.styles.Placeholder
	in.Cursor.Style = c.styles.Cursor
	return refundDialog{c: c, input: in}
}

// start opens the dialog for up to most.
func (d *refundDialog) start(most pos.Money) tea.Cmd {
	d.open, d.confirm = true, 0
	d.input.SetValue(most.Yuan())
	return d.input.Focus()
}

// close closes the dialog.
func (d *refundDialog) close() {
	d.open, d.confirm = false, 0
	d.input.Blur()
}

// refundStep is what a key did in the dialog.
type refundStep struct {
	confirmed pos.Money // > 0: the manager confirmed this amount
	checked   bool      // the amount typed was checked (Enter)
	problem   string    // why the amount checked is refused
	cmd       tea.Cmd
}

// key handles a key in the dialog, given the most that may be refunded.
func (d *refundDialog) key(msg tea.KeyMsg, most pos.Money) refundStep {
	if d.confirm > 0 {
		if msg.String() != "y" {
			d.close()
			return refundStep{}
		}
		return refundStep{confirmed: d.confirm}
	}
	switch msg.Type {
	case tea.KeyEsc:
		d.close()
		return refundStep{}
	case tea.KeyEnter:
		amount, err := pos.ParseMoney(d.input.Value())
		if err != nil || amount <= 0 || amount > most {
			return refundStep{checked: true, problem: fmt.Sprintf(d.c.t("refund.range"), most)}
		}
		d.confirm = amount
		return refundStep{checked: true}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return refundStep{cmd: cmd}
}

// View is the dialog's line: the amount being typed, or the question.
func (d *refundDialog) View() string {
	if d.confirm > 0 {
		return d.c.styles.Warn.Render(fmt.Sprintf(d.c.t("refund.confirm"), d.confirm))
	}
	return d.c.t("refund.amount") + " " + d.input.View()
}

// startRefundMsg opens the refund dialog once the manager PIN was given.
type startRefundMsg struct{}

// startRefund opens the refund dialog on the selected order, if it may be
// refunded here by this person.
func (s *ordersScreen) startRefund() tea.Cmd {
	o, ok := s.selected()
	switch {
	case ok && !s.c.manager() && s.c.askPIN:
		s.c.post(askPINMsg{then: startRefundMsg{}})
		return nil
	case ok && !s.c.manager():
		s.errText = s.c.t("e.refundmgr")
		return nil
	case !ok || pos.Refundable(o) <= 0:
		s.errText = s.c.t("refund.no")
		return nil
	}
	s.note, s.errText = "", ""
	return s.refund.start(pos.Refundable(o))
}

// refundKey passes a key to the dialog and, once the manager confirms,
// asks the till to refund. While the refund runs, keys wait.
func (s *ordersScreen) refundKey(msg tea.KeyMsg) tea.Cmd {
	if s.refundCall.busy() {
		return nil
	}
	o, _ := s.selected()
	step := s.refund.key(msg, pos.Refundable(o))
	if step.checked {
		s.errText = step.problem
	}
	if step.confirmed == 0 {
		return step.cmd
	}
	s.note = s.c.t("refund.busy")
	c, id, amount := s.c, s.refundCall.start(s.c), step.confirmed
	return func() tea.Msg {
		after, err := c.till.Refund(c.roleCtx(), o.Number, amount, "refund at the till")
		return refundedMsg{id, after, err}
	}
}

// refunded takes the till's answer to Refund and reloads the list.
func (s *ordersScreen) refunded(msg refundedMsg) tea.Cmd {
	if !s.refundCall.answered(msg.id) {
		return nil
	}
	s.refund.close()
	if msg.err != nil {
		s.errText = s.c.fail("refund", msg.err, "")
	} else {
		s.note = s.c.t("refund.done")
		if p := s.c.printer; p != nil && p.Auto() && len(msg.order.Refunds) > 0 {
			o, lang := msg.order, s.c.lang
			s.c.print(func() (int, error) { return p.RefundSlip(o, o.Refunds[len(o.Refunds)-1].RefundNo, lang) })
		}
	}
	return s.loader.load(s.c, s.page.day)
}
