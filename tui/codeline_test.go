package tui_test

import (
	"context"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
)

// payCalls records what the pay screen asks of the till.
type payCalls struct {
	frozenTill
	mu    sync.Mutex
	pays  []payments.Channel
	codes []string
}

func (p *payCalls) Pay(_ context.Context, number string, ch payments.Channel) (pos.Order, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pays = append(p.pays, ch)
	return frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting), nil
}

func (p *payCalls) PayByCode(_ context.Context, number, code string) (pos.Order, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.codes = append(p.codes, code)
	return frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting), nil
}

// settle runs a command (and the batches in it) and feeds what comes
// back to the model, as the Bubble Tea runtime would; commands that wait
// longer than a moment (a cursor's blink) are left out.
func settle(m *tui.Model, cmd tea.Cmd) {
	for _, msg := range runCmd(cmd) {
		_, next := m.Update(msg)
		settle(m, next)
	}
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if batch, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range batch {
				out = append(out, runCmd(c)...)
			}
			return out
		}
		if msg == nil {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(200 * time.Millisecond):
		return nil
	}
}

func payModel(t *testing.T, till *payCalls) *tui.Model {
	t.Helper()
	m := tui.New(tui.Options{Till: till, Catalog: &pos.Catalog{}, Cashier: "ann", Lang: tui.English, ShopName: "Test shop",
		Width: 120, Height: 40, DisableTickSeconds: true, LoneKeyWindow: 20 * time.Millisecond})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderOpen, pos.AttemptClosed)})
	return m
}

// A person presses 1 alone: after the lone-key window it asks for an
// Alipay QR.
func TestLoneKeyChooses(t *testing.T) {
	till := &payCalls{}
	m := payModel(t, till)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")})
	if len(till.pays) != 0 {
		t.Fatal("2 acted before the lone-key window passed")
	}
	settle(m, cmd)
	if len(till.pays) != 1 || till.pays[0] != payments.WeChat || len(till.codes) != 0 {
		t.Fatalf("pays %v codes %v after 2 pressed alone", till.pays, till.codes)
	}
}

// A scanner's burst — digits one at a time, within the window — is one
// payment code: 1 and 3 inside it never choose Alipay or cash, even when
// the lone-key checks come in afterwards.
func TestBurstIsACode(t *testing.T) {
	till := &payCalls{}
	m := payModel(t, till)
	var cmds []tea.Cmd
	for _, r := range "134567890123456789" {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	cmds = append(cmds, cmd)
	for _, c := range cmds {
		settle(m, c) // the lone-key checks, now stale, and the charge
	}
	if len(till.pays) != 0 || len(till.codes) != 1 || till.codes[0] != "134567890123456789" {
		t.Fatalf("pays %v codes %v after a scanner burst", till.pays, till.codes)
	}
}
