package tui_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/pos"
	"qrtill/tui"
)

// pinModel is the local till's screens: a cashier who may become a
// manager with the PIN (hash "" = none set up).
func (r *rig) pinModel(hash string) *tui.Model {
	updates, stop := r.till.Subscribe()
	return tui.New(tui.Options{Till: r.till, Catalog: r.catalog, Cashier: "ann", Terminal: "t1", Lang: tui.English,
		ShopName: "Test shop", Width: 120, Height: 40, Updates: updates, StopUpdates: stop, DisableTickSeconds: true,
		AskPIN: true, PINHash: hash})
}

// On the local till the day report and refunds ask for the manager PIN:
// a wrong PIN opens nothing; the right one opens the report, and refunds
// until the next sale.
func TestManagerPIN(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	hash, err := pos.HashPIN("2468")
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, r.pinModel(hash), teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Scan or type")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitText(t, tm, "Manager PIN")
	tm.Type("1111")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "not the manager PIN")
	tm.Type("2468")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "Day report")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3}) // to the orders
	waitText(t, tm, o.Number)
	tm.Type("r") // a manager now: no PIN asked again
	waitText(t, tm, "Refund amount")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // back to the sale
	quit(t, tm)
}

// With no PIN set up, the prompt says how to set one; nothing opens.
func TestManagerPINNotSetUp(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.pinModel(""), teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Scan or type")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitText(t, tm, "Manager PIN")
	tm.Type("1234")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "qrtill manager-pin")
	quit(t, tm)
}

// A kiosk cashier (role from the SSH key, no PIN) cannot reach the day
// report: F3 is answered with a sentence.
func TestCashierCannotSeeTheReport(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.modelAs(tui.English, 120, 40, false), teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Scan or type")
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, "Orders")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitText(t, tm, "Only a manager can see the day report")
	quit(t, tm)
}

// ↑/↓ move among the search matches while the scan line has text, and
// Enter adds the highlighted one; N* adds N; 0* and 1000* are refused.
func TestMatchesAndQuantities(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Scan or type")
	tm.Type("0*water")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "That quantity is not allowed")
	for range 7 {
		tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	matches := r.catalog.Search("kang", 5)
	if len(matches) < 2 {
		t.Fatalf("the demo catalog has %d matches for kang", len(matches))
	}
	second := matches[1]
	tm.Type("2*kang")
	waitText(t, tm, second.NameEN)
	tm.Send(tea.KeyMsg{Type: tea.KeyDown}) // the second match
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	twice, _ := second.Price.Mul(2)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return basketRow(ansi.Strip(string(b)), second.NameEN, "2", twice.String())
	}, teatest.WithDuration(10*time.Second))
	quit(t, tm)
}

// While the order book does not take writes, every screen says so,
// lastingly; it goes when writes work again.
func TestCannotSaveIsLasting(t *testing.T) {
	m := frozenModel(t, 120, 40)
	fail := errors.New("write orders.db: no space left on device")
	m.Update(tui.UpdateMsg{Update: pos.Update{Save: &pos.SaveStatus{OK: false, Err: fail}}})
	typeKeys(m, "6921168509256\n")
	m.Update(tea.KeyMsg{Type: tea.KeyF1})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Cannot save — do not hand over the goods yet") {
		t.Fatalf("no lasting warning:\n%s", v)
	}
	m.Update(tui.UpdateMsg{Update: pos.Update{Save: &pos.SaveStatus{OK: true}}})
	if v := ansi.Strip(m.View()); strings.Contains(v, "Cannot save") {
		t.Fatalf("the warning outlived the failure:\n%s", v)
	}
}
