package tui_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/pos"
	"qrtill/tui"
)

// The counter (issue 10) with the real till, bbolt, sandbox and gopay
// providers: customer-presented codes, cash, an editable sale, and no
// scan lost.

// scan types what a scanner types: its digits in one burst (as a
// terminal hands a fast burst to the program), then Enter.
func scan(tm *teatest.TestModel, code string) {
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(code)})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
}

// toPay rings up one bottle of water and checks out.
func toPay(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	scan(tm, "6921168509256")
	waitText(t, tm, "Nongfu Spring")
	tm.Send(tea.KeyMsg{Type: tea.KeyF12})
	waitText(t, tm, "Choose how")
}

// onlyOrder is the one order of the day.
func (r *rig) onlyOrder(t *testing.T) pos.Order {
	t.Helper()
	orders, err := r.till.OrdersByDay(context.Background(), r.till.Now())
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders of the day: %d, %v", len(orders), err)
	}
	return orders[0]
}

// trades are the sandbox's trades of a kind.
func (r *rig) trades(kind sandbox.TradeKind) []sandbox.Trade {
	var out []sandbox.Trade
	for _, tr := range r.gw.Ledger().List() {
		if tr.Kind == kind {
			out = append(out, tr)
		}
	}
	return out
}

// waitAll waits for one frame with every text in it.
func waitAll(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func quit(t *testing.T, tm *teatest.TestModel) {
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestCodePaidAtOnce(t *testing.T) {
	for _, tc := range []struct{ code, channel string }{
		{"281234567890123456", "Alipay"},
		{"131234567890123456", "WeChat Pay"},
	} {
		r := newRig(t)
		tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
		toPay(t, tm)
		scan(tm, tc.code)
		waitAll(t, tm, "PAID", tc.channel)
		if o := r.onlyOrder(t); o.Status != pos.OrderPaid || len(r.trades(sandbox.KindQR)) != 0 {
			t.Errorf("%s: order %s, %d QR trades", tc.code, o.Status, len(r.trades(sandbox.KindQR)))
		}
		quit(t, tm)
	}
}

func TestCodeWaitsForPassword(t *testing.T) {
	for _, code := range []string{"251234567890123456", "141234567890123456"} {
		r := newRig(t)
		tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
		toPay(t, tm)
		scan(tm, code)
		waitText(t, tm, "Waiting for password")
		waitText(t, tm, "Time left")
		codes := r.trades(sandbox.KindCode)
		if len(codes) != 1 {
			t.Fatalf("%s: %d code trades", code, len(codes))
		}
		if _, err := r.gw.Ledger().Pay(codes[0].OutTradeNo); err != nil { // the customer enters the password
			t.Fatal(err)
		}
		waitText(t, tm, "PAID")
		quit(t, tm)
	}
}

func TestCodeNeverConfirmedIsReversed(t *testing.T) {
	r := newRigWith(t, rigOptions{notifying: true, codeWindow: 300 * time.Millisecond, poll: pos.DefaultPollPolicy().Scaled(0.05)})
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	scan(tm, "251234567890123456")
	waitText(t, tm, "Waiting for password")
	deadline := time.Now().Add(10 * time.Second)
	for r.onlyOrder(t).Status == pos.OrderAwaitingPayment && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if o := r.onlyOrder(t); o.PaidBy != "" || paid(o) {
		t.Fatalf("a code never confirmed left the order %s", o.Status)
	}
	if tr := r.trades(sandbox.KindCode)[0]; tr.Status != sandbox.StatusClosed {
		t.Fatalf("the sandbox trade is %s after the reverse, want closed", tr.Status)
	}
	quit(t, tm)
}

func paid(o pos.Order) bool {
	return o.Status == pos.OrderPaid || o.Status == pos.OrderPartiallyRefunded || o.Status == pos.OrderRefunded
}

func TestCodeRefusedWithASentence(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	scan(tm, "101234567890123456")
	waitText(t, tm, "refused the payment code")
	scan(tm, "12345") // not a payment code: nothing sent
	waitText(t, tm, "not an Alipay or WeChat Pay payment code")
	if n := len(r.trades(sandbox.KindQR)); n != 0 {
		t.Fatalf("%d QR trades after a refused code and a wrong scan", n)
	}
	scan(tm, "281234567890123456") // the customer tries again
	waitText(t, tm, "PAID")
	quit(t, tm)
}

// A code scanned while a QR is shown: the QR is closed first, one
// payment kept.
func TestCodeWhileAQRIsShown(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("1")
	waitText(t, tm, "Waiting for scan")
	scan(tm, "281234567890123456")
	waitText(t, tm, "PAID")
	qr, code := r.trades(sandbox.KindQR), r.trades(sandbox.KindCode)
	if len(qr) != 1 || qr[0].Status != sandbox.StatusClosed || len(code) != 1 || code[0].Status != sandbox.StatusPaid {
		t.Fatalf("QR trades %+v, code trades %+v", qr, code)
	}
	quit(t, tm)
}

// A scanner's burst on the pay screen is never read as 1/2/3: the
// digits of 134567890123456789 arrive one by one, faster than a person
// types, and the whole code is charged; no QR is ever asked for.
func TestBurstOnPayScreenNeverOpensAQR(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("134567890123456789")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "PAID")
	if qr := r.trades(sandbox.KindQR); len(qr) != 0 {
		t.Fatalf("a scanner burst opened %d QR trades", len(qr))
	}
	quit(t, tm)
}

func TestCash(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		given       pos.Money
		change      string
	}{
		{"exact", "", 200, "¥0.00"},
		{"with change", "50", 5000, "¥48.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
			toPay(t, tm)
			tm.Type("3")
			waitText(t, tm, "Cash given")
			if tc.typed != "" {
				tm.Type(tc.typed)
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			waitText(t, tm, "Change  "+tc.change)
			o := r.onlyOrder(t)
			given, change, ok := o.Cash()
			if o.Status != pos.OrderPaid || o.Channel != payments.Cash || !ok || given != tc.given || change != tc.given-200 {
				t.Fatalf("order %s by %s, cash %s change %s (%v)", o.Status, o.Channel, given, change, ok)
			}
			quit(t, tm)
		})
	}
}

func TestCashTooLittle(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("3")
	waitText(t, tm, "Cash given")
	tm.Type("1.50")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "less than the total")
	tm.Type("x")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "Type an amount in digits")
	if o := r.onlyOrder(t); o.Status != pos.OrderOpen && o.Status != pos.OrderAwaitingPayment {
		t.Fatalf("too little cash left the order %s", o.Status)
	}
	quit(t, tm)
}

// Esc on the pay screen goes back to the same basket (the QR closed
// first); the edited basket is checked out as the same order and paid.
func TestEditTheSale(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("1")
	waitText(t, tm, "Waiting for scan")
	number := r.onlyOrder(t).Number
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitText(t, tm, "Editing order "+number)
	scan(tm, "3*6902731510015") // "and three of these"
	waitText(t, tm, "C'estbon")
	tm.Send(tea.KeyMsg{Type: tea.KeyF12})
	waitText(t, tm, "Choose how")
	scan(tm, "281234567890123456")
	waitText(t, tm, "PAID")
	o := r.onlyOrder(t)
	if o.Number != number || o.Status != pos.OrderPaid || len(o.Lines) != 2 || o.Lines[1].Quantity != 3 {
		t.Fatalf("edited order %+v", o)
	}
	if qr := r.trades(sandbox.KindQR); len(qr) != 1 || qr[0].Status != sandbox.StatusClosed {
		t.Fatalf("the first QR: %+v", qr)
	}
	if code := r.trades(sandbox.KindCode); len(code) != 1 || code[0].AmountFen != int64(o.Total) {
		t.Fatalf("the code charged %+v for a total of %s", code, o.Total)
	}
	quit(t, tm)
}

// The next customer's first scan on the receipt starts the next sale
// with that item; a scan with help open reaches the scan line.
func TestNoScanLost(t *testing.T) {
	r := newRig(t)
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	scan(tm, "281234567890123456")
	waitText(t, tm, "PAID")
	scan(tm, "6902731510015") // the next customer's water
	waitText(t, tm, "C'estbon")
	tm.Send(tea.KeyMsg{Type: tea.KeyF1})
	waitText(t, tm, "Keys")
	scan(tm, "6921168509256")
	waitText(t, tm, "Nongfu Spring")
	quit(t, tm)
	if o := r.onlyOrder(t); o.Status != pos.OrderPaid {
		t.Fatalf("the first sale is %s", o.Status)
	}
}
