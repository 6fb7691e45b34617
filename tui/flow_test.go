package tui_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxtest"
	"qrtill/pos"
	"qrtill/tui"
)

// rig is a whole till (testkit) seen by the screens.
type rig struct {
	gw      *sandboxtest.Gateway
	till    *pos.Till
	catalog *pos.Catalog
	tt      *testkit.Rig
}

func newRig(t testing.TB) *rig { return newRigWith(t, rigOptions{notifying: true}) }

// rigOptions vary the till: notifications on or off (polling alone), the
// poll policy, the payment window, and a hook wrapping the providers.
type rigOptions struct {
	notifying  bool
	poll       pos.PollPolicy
	wrap       func(payments.Provider) payments.Provider
	window     time.Duration
	codeWindow time.Duration // how long a code payment waits for the password
	printer    string        // the receipt printer's address
}

func newRigWith(t testing.TB, opt rigOptions) *rig {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	tt := testkit.New(t, testkit.Options{Notifying: opt.notifying, Poll: opt.poll, Window: opt.window, Wrap: opt.wrap,
		CodeWindow: opt.codeWindow, Printer: opt.printer})
	return &rig{gw: tt.Gateway, till: tt.Till, catalog: tt.Catalog, tt: tt}
}

func (r *rig) model(lang tui.Lang, w, h int) *tui.Model { return r.modelAs(lang, w, h, true) }

func (r *rig) modelAs(lang tui.Lang, w, h int, manager bool) *tui.Model {
	updates, stop := r.till.Subscribe()
	return tui.New(tui.Options{Till: r.till, Catalog: r.catalog, Cashier: "ann", Terminal: "t1", Lang: lang, Manager: manager,
		ShopName: "Test shop", Width: w, Height: h, Updates: updates, StopUpdates: stop, DisableTickSeconds: true,
		Printer: r.tt.App.Printer()})
}

func waitText(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func (r *rig) lastTrade(t testing.TB) sandbox.Trade { return r.tt.LastTrade(t) }

// TestSaleToPaid drives the screens as a cashier would: scan, check out,
// Alipay, and the pane follows the sandbox to PAID, then the receipt.
func TestSaleToPaid(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		r := newRig(t)
		tm := teatest.NewTestModel(t, r.model(tui.English, size[0], size[1]), teatest.WithInitialTermSize(size[0], size[1]))
		tm.Type("6921168509256")
		tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		waitText(t, tm, "Nongfu Spring")
		tm.Send(tea.KeyMsg{Type: tea.KeyF12})
		waitText(t, tm, "Choose how")
		tm.Type("1")
		waitText(t, tm, "Waiting")
		no := r.lastTrade(t).OutTradeNo
		if _, err := r.gw.Ledger().Scan(no); err != nil {
			t.Fatal(err)
		}
		waitText(t, tm, "Scanned")
		if _, err := r.gw.Ledger().Pay(no); err != nil {
			t.Fatal(err)
		}
		waitText(t, tm, "PAID")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
		final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
		for _, want := range []string{"PAID", "Receipt", "Trade no.", "Press Enter for the next sale", "¥2.00"} {
			if !strings.Contains(final, want) {
				t.Errorf("%dx%d receipt lacks %q:\n%s", size[0], size[1], want, final)
			}
		}
	}
}

func TestEscClosesAtTheProviderThenTheSaleIsCancelled(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	tm.Type("WATER-CB-555")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlP})
	waitText(t, tm, "Choose how")
	tm.Type("2")
	waitText(t, tm, "Waiting for scan")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // back to the basket: the QR is closed first
	waitText(t, tm, "Editing order")
	tr := r.lastTrade(t)
	if tr.Status != sandbox.StatusClosed {
		t.Fatalf("sandbox trade %s after going back to the basket, want closed", tr.Status)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // give the sale up
	waitText(t, tm, "The basket is empty")
	orders, err := r.till.OrdersByDay(context.Background(), r.till.Now())
	if err != nil || len(orders) != 1 || orders[0].Status != pos.OrderCancelled {
		t.Fatalf("orders after the sale was given up: %+v, %v", orders, err)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestScannerBurst: a scanner types digits and Enter fast. Each burst
// adds its product (the same product twice makes quantity 2); a + or -
// inside typed text is text, never a quantity change.
func TestScannerBurst(t *testing.T) {
	r := newRig(t)
	m := r.model(tui.English, 120, 40)
	feed := func(s string) {
		for _, c := range s {
			if c == '\n' {
				m.Update(tea.KeyMsg{Type: tea.KeyEnter})
				continue
			}
			m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c}})
		}
	}
	feed("6921168509256\n6921168509256\n6902731510015\n")
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "Nongfu Spring Water 550ml") || !strings.Contains(view, "¥4.00") || !strings.Contains(view, "C'estbon") {
		t.Fatalf("basket after burst:\n%s", view)
	}
	feed("69+-21\n")
	view2 := ansi.Strip(m.View())
	if !strings.Contains(view2, "No product with code 69+-21") || !basketRow(view2, "Nongfu Spring Water 550ml", "2", "¥4.00") ||
		!basketRow(view2, "C'estbon", "1", "¥2.00") {
		t.Fatalf("+ and - inside a code changed the basket:\n%s", view2)
	}
}

// TestQRRoundTrip decodes the QR drawn in View() and compares it with the
// attempt's QR content.
func TestQRRoundTrip(t *testing.T) {
	r := newRig(t)
	o, err := r.till.Checkout(context.Background(), []pos.Line{{SKU: "A", NameEN: "A", NameZH: "甲", UnitPrice: 100, Quantity: 1, Total: 100}}, "ann", "t1")
	if err != nil {
		t.Fatal(err)
	}
	m2 := r.model(tui.English, 120, 40)
	m2.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m2.Update(tui.ShowOrderMsg{Order: o})
	paid, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if err != nil {
		t.Fatal(err)
	}
	m2.Update(tui.UpdateMsg{Update: pos.Update{Order: paid}})
	view := ansi.Strip(m2.View())
	want := paid.Attempts[0].QRContent
	got, err := testkit.DecodeQR(view)
	if err != nil {
		t.Fatalf("no QR decoded from the view: %v\n%s", err, view)
	}
	if got != want {
		t.Fatalf("QR says %q, want %q", got, want)
	}
}

// basketRow reports whether the view has a basket row for name with
// this quantity and line total.
func basketRow(view, name, qty, total string) bool {
	for _, line := range strings.Split(view, "\n") {
		f := strings.Fields(strings.TrimPrefix(line, name))
		if strings.HasPrefix(line, name) && len(f) >= 3 && f[len(f)-3] == qty && f[len(f)-1] == total {
			return true
		}
	}
	return false
}
