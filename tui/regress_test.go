package tui_test

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"qrtill/internal/testkit"
	"qrtill/pos"
	"qrtill/tui"
)

// Regression tests for defects a review found in the screens.

// cancelPending answers Reopen (Esc: back to the basket) like a
// provider that does not answer the close.
type cancelPending struct{ frozenTill }

func (cancelPending) Reopen(_ context.Context, number string) (pos.Order, error) {
	o := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptClosing)
	o.Attempts[0].Intent = pos.IntentReopen
	return o, pos.ErrClosePending
}

func TestRegressionTruncatedScan(t *testing.T) {
	m := frozenModel(t, 120, 40)
	typeKeys(m, "69211685\n") // a scanner read cut short: 8 of 13 digits
	v := ansi.Strip(m.View())
	t.Logf("after a truncated scan:\n%s", v)
	if strings.Contains(v, "Nongfu Spring Water 550ml") {
		t.Errorf("a truncated barcode added a product by prefix match")
	}
}

func TestRegressionQRWhileCancelling(t *testing.T) {
	m := frozenModel(t, 120, 40)
	o := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptClosing)
	o.Attempts[0].Intent = pos.IntentCancel
	m.Update(tui.ShowOrderMsg{Order: o})
	v := ansi.Strip(m.View())
	if _, err := testkit.DecodeQR(v); err == nil {
		t.Errorf("QR still drawn while the cashier's cancel is closing it:\n%s", v)
	}
}

func TestRegressionHelpBarEmptyBasket(t *testing.T) {
	m := frozenModel(t, 120, 40)
	v := ansi.Strip(m.View())
	for _, s := range []string{"check out", "quantity", "remove", "enter add"} {
		if strings.Contains(v, s) {
			t.Errorf("empty basket, empty scan line, help bar offers %q", s)
		}
	}
}

func TestRegressionQRAt80x24(t *testing.T) {
	m := frozenModel(t, 80, 24)
	m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting)})
	v := ansi.Strip(m.View())
	if strings.Contains(v, "Make the window") {
		t.Errorf("80x24 refuses a 41x21 QR: %q", strings.Split(v, "\n")[2])
	}
	got, err := testkit.DecodeQR(v)
	if want := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting).Attempts[0].QRContent; err != nil || got != want {
		t.Errorf("QR at 80x24 decodes to %q (%v), want %q", got, err, want)
	}
}

func TestRegressionStuckAfterClosePending(t *testing.T) {
	m := tui.New(tui.Options{Till: cancelPending{}, Catalog: &pos.Catalog{}, Lang: tui.English, ShopName: "Test shop",
		Width: 120, Height: 40, DisableTickSeconds: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting)})
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if cmd == nil {
		t.Fatal("Esc made no command")
	}
	m.Update(cmd()) // the till: ErrClosePending
	v := ansi.Strip(m.View())
	t.Logf("after ErrClosePending:\n%s", v)
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if v2 := ansi.Strip(m.View()); !strings.Contains(v2, "Scan or type") {
		t.Errorf("after the provider failed to confirm a cancel, Enter cannot leave the pay screen (the till keeps closing in the background)")
	}
}
