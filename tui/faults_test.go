package tui_test

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/payments/sandbox"
	"qrtill/pos"
	"qrtill/tui"
)

// startSale rings up one product and opens the pay screen on a channel.
func startSale(t *testing.T, tm *teatest.TestModel, channel string) {
	t.Helper()
	tm.Type("6921168509256")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyF12})
	waitText(t, tm, "Choose how")
	tm.Type(channel)
}

func TestExpiryFlow(t *testing.T) {
	r := newRigWith(t, rigOptions{notifying: true, window: 300 * time.Millisecond, poll: pos.DefaultPollPolicy().Scaled(0.01)})
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	startSale(t, tm, "2")
	waitText(t, tm, "Expired")
	first := r.lastTrade(t)
	if first.Status != sandbox.StatusClosed {
		t.Fatalf("sandbox trade %s after expiry, want closed", first.Status)
	}
	// Pay again: a new attempt (new out_trade_no) on the other channel.
	tm.Type("1")
	waitText(t, tm, "Alipay")
	deadline := time.Now().Add(5 * time.Second)
	for r.lastTrade(t).OutTradeNo == first.OutTradeNo {
		if time.Now().After(deadline) {
			t.Fatal("paying again made no new trade")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if again := r.lastTrade(t); again.Channel != "alipay" || again.AmountFen != first.AmountFen {
		t.Fatalf("second attempt %+v", again)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestProviderTroubleShownThenPaid(t *testing.T) {
	r := newRigWith(t, rigOptions{notifying: false, poll: pos.DefaultPollPolicy().Scaled(0.05)})
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	startSale(t, tm, "1")
	waitText(t, tm, "Waiting for scan")
	r.gw.SetFaults(sandbox.Faults{FailNext: 2})
	waitText(t, tm, "Alipay did not answer; retrying in")
	r.gw.Ledger().Pay(r.lastTrade(t).OutTradeNo)
	waitText(t, tm, "PAID")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestPaymentLandingAfterCancel: the buyer pays just as the cashier
// presses Esc; the provider's close finds it paid and the pane says PAID.
func TestPaymentLandingAfterCancel(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	startSale(t, tm, "1")
	waitText(t, tm, "Waiting for scan")
	r.gw.Ledger().Scan(r.lastTrade(t).OutTradeNo)
	waitText(t, tm, "Scanned")
	r.gw.SetFaults(sandbox.Faults{PayBeforeClose: 1})
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitText(t, tm, "PAID")
	if tr := r.lastTrade(t); tr.Status != sandbox.StatusPaid || tr.RefundedFen != 0 {
		t.Fatalf("sandbox trade %s refunded %d; want paid and kept", tr.Status, tr.RefundedFen)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
