package tui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
)

// paidOrder rings up and pays an order of ¥7.50 through the sandbox.
func (r *rig) paidOrder(t *testing.T) pos.Order {
	t.Helper()
	lines := []pos.Line{{SKU: "T", NameEN: "Tea", NameZH: "茶", UnitPrice: 750, Quantity: 1, Total: 750}}
	o, err := r.till.Checkout(context.Background(), lines, "ann", "t1")
	if err != nil {
		t.Fatal(err)
	}
	if o, err = r.till.Pay(context.Background(), o.Number, payments.Alipay); err != nil {
		t.Fatal(err)
	}
	if _, err := r.gw.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := r.till.Order(context.Background(), o.Number)
		if got.Status == pos.OrderPaid {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("order never paid: %s", got.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOrdersScreenRefund(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, o.Number)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // details with the event log
	waitText(t, tm, "QR issued")            // the event log, worded
	tm.Type("r")
	waitText(t, tm, "Refund amount")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the prefilled full amount
	tm.Type("2.50")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "Press y to confirm")
	tm.Type("y")
	waitText(t, tm, "Refund done")
	got, _ := r.till.Order(context.Background(), o.Number)
	if got.Status != pos.OrderPartiallyRefunded || pos.Refundable(got) != 500 {
		t.Fatalf("after refund: %s, refundable %s", got.Status, pos.Refundable(got))
	}
	if tr, _ := r.gw.Ledger().Get(o.Attempts[0].OutTradeNo); tr.RefundedFen != 250 {
		t.Fatalf("sandbox refunded %d fen, want 250", tr.RefundedFen)
	}
	// The day report shows the refund and the net.
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitText(t, tm, "¥5.00")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestCashierCannotRefund(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	m := r.modelAs(tui.English, 120, 40, false)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, o.Number)
	tm.Type("r")
	waitText(t, tm, "Only a manager can refund.")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
	if strings.Contains(final, "r refund") || strings.Contains(final, "day report") {
		t.Fatalf("a cashier's help bar offers manager actions:\n%s", final)
	}
	if got, _ := r.till.Order(context.Background(), o.Number); got.Status != pos.OrderPaid {
		t.Fatalf("a cashier refunded: %s", got.Status)
	}
}

func TestChineseScreensAndFilter(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	tm := teatest.NewTestModel(t, r.model(tui.Chinese, 120, 40), teatest.WithInitialTermSize(120, 40))
	tm.Type("6921168509256")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "农夫山泉")
	tm.Send(tea.KeyMsg{Type: tea.KeyF12})
	waitText(t, tm, "请选择支付方式")
	tm.Type("1")
	waitText(t, tm, "等待扫码")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // back to the basket
	waitText(t, tm, "正在修改订单")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // give the sale up
	waitText(t, tm, "购物篮是空的")
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, o.Number)
	tm.Type("/") // only "open" orders: none
	waitText(t, tm, "这一天没有订单")
	tm.Type("//") // then awaiting payment, then paid
	waitText(t, tm, o.Number)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
