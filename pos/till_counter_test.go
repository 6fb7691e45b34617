package pos_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// The counter's till steps against a scripted provider, one rule at a
// time: races and outages a real gateway cannot be made to hit on cue.
// The same paths run against the sandbox and the real providers in
// counter_sandbox_test.go.

// codeScripted is scripted with customer-presented codes. By default a
// charge waits for the customer's password; charge changes that.
type codeScripted struct {
	*scripted
	charge       func(t *payments.TradeStatus) (payments.TradeStatus, error)
	charges      int
	reverses     int
	payOnReverse bool // the customer confirms just before the reverse lands
}

func (s *codeScripted) PayByCode(_ context.Context, r payments.CodePayRequest) (payments.TradeStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.charges++
	if err := s.trouble(); err != nil {
		return payments.TradeStatus{}, err
	}
	t := &payments.TradeStatus{OutTradeNo: r.OutTradeNo, State: payments.StateScanned, AmountFen: r.AmountFen, RawCode: "USERPAYING"}
	s.trades[r.OutTradeNo] = t
	if s.charge != nil {
		return s.charge(t)
	}
	return *t, nil
}

func (s *codeScripted) Reverse(_ context.Context, no string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reverses++
	if err := s.trouble(); err != nil {
		return err
	}
	t := s.trades[no]
	if t == nil {
		return nil
	}
	if s.payOnReverse && t.State == payments.StateScanned {
		s.payOnReverse = false
		s.payLocked(t)
	}
	switch t.State {
	case payments.StatePaid:
		t.State, t.RefundedFen = payments.StateRefunded, t.AmountFen
	case payments.StateScanned, payments.StateWaitingScan:
		t.State = payments.StateClosed
	}
	return nil
}

func (s *codeScripted) counts() (charges, reverses int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.charges, s.reverses
}

// paidAtOnce is a charge the provider takes at once.
func (s *codeScripted) paidAtOnce(t *payments.TradeStatus) (payments.TradeStatus, error) {
	s.payLocked(t)
	return *t, nil
}

const (
	alipayCode = "281234567890123456"
	wechatCode = "134567890123456789"
)

// newCodeRig is a rig whose Alipay takes codes, queried every 5 ms, with
// a code window of window.
func newCodeRig(t *testing.T, window time.Duration, edit func(c *pos.TillConfig)) (*rig, *codeScripted) {
	t.Helper()
	cs := &codeScripted{scripted: newScripted(payments.Alipay)}
	r := newRig(t, func(c *pos.TillConfig) {
		c.Providers[payments.Alipay] = cs
		c.CodeWindow = window
		c.Poll.Code = 5 * time.Millisecond
		if edit != nil {
			edit(c)
		}
	})
	return r, cs
}

func kinds(t *testing.T, r *rig, number string) map[pos.EventKind]int {
	t.Helper()
	evs, err := r.till.Events(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	out := map[pos.EventKind]int{}
	for _, e := range evs {
		out[e.Kind]++
	}
	return out
}

func TestCodePaidAtOnce(t *testing.T) {
	r, cs := newCodeRig(t, time.Minute, nil)
	cs.charge = cs.paidAtOnce
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	if err != nil || got.Status != pos.OrderPaid || got.Channel != payments.Alipay {
		t.Fatalf("PayByCode: %s, %v", got.Status, err)
	}
	a := lastAttempt(got)
	if a.Kind != pos.KindCode || a.Status != pos.AttemptPaid || got.PaidBy != a.OutTradeNo || a.Amount != 1250 {
		t.Fatalf("attempt %+v", a)
	}
	if k := kinds(t, r, o.Number); k[pos.EventCodeCharge] != 1 || k[pos.EventPaid] != 1 {
		t.Errorf("events %v", k)
	}
	waitWatchers(t, r.till, 0)
	if _, rev := cs.counts(); rev != 0 {
		t.Errorf("%d reverses of a paid code payment", rev)
	}
}

func TestCodeWaitsForThePassword(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, nil)
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	a := lastAttempt(got)
	if err != nil || !a.WaitingForPassword() || got.Status != pos.OrderAwaitingPayment {
		t.Fatalf("PayByCode: %s, attempt %s, %v", got.Status, a.Status, err)
	}
	if left := a.ExpiresAt.Sub(a.CreatedAt); left != 5*time.Second {
		t.Errorf("deadline %s after the charge, want the code window", left)
	}
	if k := kinds(t, r, o.Number); k[pos.EventWaitPassword] != 1 {
		t.Errorf("events %v", k)
	}
	if err := cs.pay(a.OutTradeNo); err != nil { // the customer enters the password
		t.Fatal(err)
	}
	r.waitFor(o.Number, "paid by the watcher's query", status(pos.OrderPaid))
	waitWatchers(t, r.till, 0)
}

func TestCodeNeverConfirmedIsReversed(t *testing.T) {
	r, cs := newCodeRig(t, 60*time.Millisecond, nil)
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	if err != nil {
		t.Fatal(err)
	}
	no := lastAttempt(got).OutTradeNo
	got = r.waitFor(o.Number, "reversed at the deadline", func(o pos.Order) bool { return !lastAttempt(o).Open() })
	if a := lastAttempt(got); a.Status != pos.AttemptExpired || got.Status != pos.OrderExpired || got.PaidBy != "" {
		t.Fatalf("after the deadline: order %s attempt %s", got.Status, a.Status)
	}
	if _, rev := cs.counts(); rev != 1 || cs.state(no) != payments.StateClosed {
		t.Fatalf("%d reverses, provider %s", rev, cs.state(no))
	}
	if k := kinds(t, r, o.Number); k[pos.EventReversing] != 1 || k[pos.EventExpired] != 1 {
		t.Errorf("events %v", k)
	}
	// The cashier scans again (or takes another way): a new attempt.
	cs.charge = cs.paidAtOnce
	if got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode); err != nil || got.Status != pos.OrderPaid {
		t.Fatalf("scan again: %s, %v", got.Status, err)
	}
}

// The last query before the reverse finds the customer paid: booked, not undone.
func TestCodeReverseFindsItPaid(t *testing.T) {
	r, cs := newCodeRig(t, 80*time.Millisecond, func(c *pos.TillConfig) { c.Poll.Code = time.Hour })
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.pay(lastAttempt(got).OutTradeNo); err != nil {
		t.Fatal(err)
	}
	got = r.waitFor(o.Number, "paid", status(pos.OrderPaid))
	if _, rev := cs.counts(); rev != 0 || lastAttempt(got).Status != pos.AttemptPaid {
		t.Fatalf("%d reverses of a paid payment; attempt %s", rev, lastAttempt(got).Status)
	}
}

// The customer confirms between the last query and the reverse: the
// reverse gives the money back, and the books say so.
func TestCodeReverseRacesThePassword(t *testing.T) {
	r, cs := newCodeRig(t, 80*time.Millisecond, func(c *pos.TillConfig) { c.Poll.Code = time.Hour })
	cs.payOnReverse = true
	o := r.checkout()
	if _, err := r.till.PayByCode(context.Background(), o.Number, alipayCode); err != nil {
		t.Fatal(err)
	}
	got := r.waitFor(o.Number, "settled", func(o pos.Order) bool { return !lastAttempt(o).Open() })
	if a := lastAttempt(got); a.Status != pos.AttemptRefunded || got.PaidBy != "" || got.Status == pos.OrderPaid {
		t.Fatalf("order %s attempt %s paid by %q; want the refunded payment not kept", got.Status, a.Status, got.PaidBy)
	}
}

func TestCodeUnknownOutcomeIsQueried(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, nil)
	cs.charge = func(t *payments.TradeStatus) (payments.TradeStatus, error) {
		cs.payLocked(t) // the money moved, the answer was lost
		return payments.TradeStatus{}, fmt.Errorf("scripted 500: %w", payments.ErrUnavailable)
	}
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	if err != nil || lastAttempt(got).Status != pos.AttemptCreating || !lastAttempt(got).Open() {
		t.Fatalf("unknown outcome: %v, attempt %s; want no error and the attempt open", err, lastAttempt(got).Status)
	}
	if k := kinds(t, r, o.Number); k[pos.EventCodeUnknown] != 1 {
		t.Errorf("events %v", k)
	}
	r.waitFor(o.Number, "paid by a query", status(pos.OrderPaid))
	if charges, _ := cs.counts(); charges != 1 {
		t.Errorf("the code was charged %d times; an unknown outcome is queried, never charged again", charges)
	}
}

func TestCodeRefused(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, nil)
	for _, c := range []struct {
		cause, want error
	}{
		{fmt.Errorf("scripted: %w: %w", payments.ErrRejected, payments.ErrBalanceLow), pos.ErrBalanceLow},
		{fmt.Errorf("scripted: %w: %w", payments.ErrRejected, payments.ErrCodeInvalid), pos.ErrCodeRefused},
		{fmt.Errorf("scripted: %w", payments.ErrRejected), pos.ErrCodeRefused},
	} {
		cs.charge = func(t *payments.TradeStatus) (payments.TradeStatus, error) {
			delete(cs.trades, t.OutTradeNo)
			return payments.TradeStatus{}, c.cause
		}
		o := r.checkout()
		got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
		if !errors.Is(err, c.want) {
			t.Fatalf("%v: PayByCode = %v, want %v", c.cause, err, c.want)
		}
		stored, _ := r.till.Order(context.Background(), o.Number)
		if a := lastAttempt(stored); a.Status != pos.AttemptFailed || stored.Status != pos.OrderAwaitingPayment || got.PaidBy != "" {
			t.Fatalf("after a refusal: order %s attempt %s", stored.Status, a.Status)
		}
		waitWatchers(t, r.till, 0)
		// The cashier scans again.
		cs.charge = cs.paidAtOnce
		if got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode); err != nil || got.Status != pos.OrderPaid || len(got.Attempts) != 2 {
			t.Fatalf("scan again: %s, %v", got.Status, err)
		}
	}
}

func TestCodeBadInputSendsNothing(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, nil)
	o := r.checkout()
	for _, code := range []string{"123", "6921168509256", "281234567890123x56", "991234567890123456"} {
		if _, err := r.till.PayByCode(context.Background(), o.Number, code); !errors.Is(err, pos.ErrNotPaymentCode) {
			t.Errorf("%q: %v, want ErrNotPaymentCode", code, err)
		}
	}
	stored, _ := r.till.Order(context.Background(), o.Number)
	if charges, _ := cs.counts(); charges != 0 || len(stored.Attempts) != 0 || stored.Status != pos.OrderOpen {
		t.Fatalf("bad codes: %d charges, %d attempts, %s", charges, len(stored.Attempts), stored.Status)
	}
	// A second code while the first waits for its password is refused.
	if _, err := r.till.PayByCode(context.Background(), o.Number, alipayCode); err != nil {
		t.Fatal(err)
	}
	if _, err := r.till.PayByCode(context.Background(), o.Number, "251234567890123456"); !errors.Is(err, pos.ErrCodeBusy) {
		t.Fatalf("second code: %v, want ErrCodeBusy", err)
	}
	if charges, _ := cs.counts(); charges != 1 {
		t.Fatalf("%d charges, want 1", charges)
	}
}

func TestCodeClosesTheQRFirst(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, func(c *pos.TillConfig) { c.NoPolling = true })
	cs.charge = cs.paidAtOnce
	ctx := context.Background()
	o := r.checkout()
	o, err := r.till.Pay(ctx, o.Number, payments.WeChat)
	if err != nil {
		t.Fatal(err)
	}
	qr := lastAttempt(o)
	// The QR cannot be closed: nothing is charged.
	r.wechat.failNext = 1
	if _, err := r.till.PayByCode(ctx, o.Number, alipayCode); !errors.Is(err, pos.ErrClosePending) {
		t.Fatalf("code while the QR close is unconfirmed: %v, want ErrClosePending", err)
	}
	if charges, _ := cs.counts(); charges != 0 {
		t.Fatal("charged while the QR could still be paid")
	}
	r.waitFor(o.Number, "QR closed in the background", func(o pos.Order) bool { return !o.Attempts[0].Open() })
	got, err := r.till.PayByCode(ctx, o.Number, alipayCode)
	if err != nil || got.Status != pos.OrderPaid || r.wechat.state(qr.OutTradeNo) != payments.StateClosed {
		t.Fatalf("code after the QR closed: %s, %v, QR %s", got.Status, err, r.wechat.state(qr.OutTradeNo))
	}
	// The QR paid just before its close: that payment is kept, no code is charged.
	o2 := r.checkout()
	o2, _ = r.till.Pay(ctx, o2.Number, payments.WeChat)
	r.wechat.payOnClose = true
	if got, err := r.till.PayByCode(ctx, o2.Number, alipayCode); !errors.Is(err, pos.ErrAlreadyPaid) || got.Status != pos.OrderPaid || got.PaidBy != o2.Attempts[0].OutTradeNo {
		t.Fatalf("QR paid before its close: %s by %s, %v", got.Status, got.PaidBy, err)
	}
	if charges, _ := cs.counts(); charges != 1 {
		t.Fatalf("%d charges, want only the first order's", charges)
	}
}

func TestCodeCancelReverses(t *testing.T) {
	r, cs := newCodeRig(t, 5*time.Second, nil)
	o := r.checkout()
	got, err := r.till.PayByCode(context.Background(), o.Number, alipayCode)
	if err != nil {
		t.Fatal(err)
	}
	got, err = r.till.Cancel(context.Background(), o.Number)
	if err != nil || got.Status != pos.OrderCancelled {
		t.Fatalf("cancel: %s, %v", got.Status, err)
	}
	if _, rev := cs.counts(); rev != 1 || cs.state(lastAttempt(got).OutTradeNo) != payments.StateClosed {
		t.Fatalf("cancel: %d reverses", rev)
	}
}

// The till stops while the customer enters the password; the next one
// follows the payment in Reconcile, to the deadline, before any sale.
func TestCodeReconciledAfterARestart(t *testing.T) {
	r, cs := newCodeRig(t, 400*time.Millisecond, nil)
	ctx := context.Background()
	paid, unpaid := r.checkout(), r.checkout()
	var confirmed string
	for _, o := range []pos.Order{paid, unpaid} {
		got, err := r.till.PayByCode(ctx, o.Number, alipayCode)
		if err != nil {
			t.Fatal(err)
		}
		if o.Number == paid.Number {
			confirmed = lastAttempt(got).OutTradeNo
		}
	}
	r.till.Close()
	r.start()
	done := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond) // the customer is still typing when the till comes back
		done <- cs.pay(confirmed)
	}()
	defer func() {
		if err := <-done; err != nil {
			t.Errorf("the customer could not confirm: %v", err)
		}
	}()
	changes, err := r.till.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]pos.Change{}
	for _, c := range changes {
		got[c.OrderNumber] = c
	}
	if c := got[paid.Number]; c.To != pos.OrderPaid || c.Err != nil {
		t.Errorf("confirmed during the reconcile: %+v", c)
	}
	if c := got[unpaid.Number]; c.To == pos.OrderPaid || c.Err != nil || c.Detail == "" {
		t.Errorf("never confirmed: %+v", c)
	}
	if _, rev := cs.counts(); rev != 1 {
		t.Errorf("%d reverses, want the unconfirmed one only", rev)
	}
	if open, _ := r.store.OpenAttempts(ctx); len(open) != 0 {
		t.Errorf("%d orders still open after Reconcile", len(open))
	}
}

func TestCash(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	for _, c := range []struct {
		name                string
		given, want, change pos.Money
	}{
		{"Enter alone", 0, 1250, 0},
		{"exact", 1250, 1250, 0},
		{"with change", 2000, 2000, 750},
	} {
		o := r.checkout()
		got, err := r.till.PayCash(ctx, o.Number, c.given)
		if err != nil || got.Status != pos.OrderPaid || got.Channel != payments.Cash {
			t.Fatalf("%s: %s by %s, %v", c.name, got.Status, got.Channel, err)
		}
		given, change, ok := got.Cash()
		a := lastAttempt(got)
		if !ok || given != c.want || change != c.change || a.Kind != pos.KindCash || got.PaidBy != a.OutTradeNo {
			t.Fatalf("%s: given %s change %s (%v); attempt %+v", c.name, given, change, ok, a)
		}
		if k := kinds(t, r, o.Number); k[pos.EventCashPaid] != 1 {
			t.Errorf("%s: events %v", c.name, k)
		}
	}
	// Too little or too much: a sentence, nothing stored.
	o := r.checkout()
	for given, want := range map[pos.Money]error{1249: pos.ErrCashShort, pos.MaxCash + 1: pos.ErrCashTooMuch} {
		if _, err := r.till.PayCash(ctx, o.Number, given); !errors.Is(err, want) {
			t.Errorf("cash %s: %v, want %v", given, err, want)
		}
	}
	if stored, _ := r.till.Order(ctx, o.Number); stored.Status != pos.OrderOpen || len(stored.Attempts) != 0 {
		t.Fatalf("refused cash stored something: %s, %d attempts", stored.Status, len(stored.Attempts))
	}
	// Cash while a QR is shown: the QR is closed at the provider first.
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	got, err := r.till.PayCash(ctx, o.Number, 0)
	if err != nil || got.Status != pos.OrderPaid || got.Attempts[0].Status != pos.AttemptClosed || r.alipay.state(got.Attempts[0].OutTradeNo) != payments.StateClosed {
		t.Fatalf("cash over a QR: %s, %v, QR %s", got.Status, err, got.Attempts[0].Status)
	}
	if _, err := r.till.PayCash(ctx, o.Number, 0); !errors.Is(err, pos.ErrAlreadyPaid) {
		t.Fatalf("cash twice: %v", err)
	}
}

func TestCashRefundAndRoles(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	cashier := context.Background()
	manager := pos.WithRole(cashier, pos.RoleManager)
	o := r.checkout()
	if _, err := r.till.PayCash(cashier, o.Number, 2000); err != nil {
		t.Fatal(err)
	}
	if _, err := r.till.Refund(cashier, o.Number, 250, "one bottle"); !errors.Is(err, pos.ErrRefundManagerOnly) || err.Error() != "Only a manager can refund." {
		t.Fatalf("a cashier's refund: %v", err)
	}
	if _, err := r.till.DayReport(cashier, r.till.Now()); !errors.Is(err, pos.ErrReportManagerOnly) {
		t.Fatalf("a cashier's day report: %v", err)
	}
	got, err := r.till.Refund(manager, o.Number, 250, "one bottle")
	if err != nil || got.Status != pos.OrderPartiallyRefunded || got.Refunds[0].Status != payments.RefundSuccess {
		t.Fatalf("cash refund: %s, %v", got.Status, err)
	}
	rep, err := r.till.DayReport(manager, r.till.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.CashTaken.Total != 1250 || rep.CashRefunded.Total != 250 || rep.CashExpected != 1000 {
		t.Fatalf("report: taken %+v refunded %+v expected %s", rep.CashTaken, rep.CashRefunded, rep.CashExpected)
	}
	if r.alipay.refunded(got.Refunds[0].RefundNo) || r.wechat.refunded(got.Refunds[0].RefundNo) {
		t.Fatal("a cash refund went to a provider")
	}
}

func TestReopenAmendAndPay(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, err := r.till.Pay(ctx, o.Number, payments.Alipay)
	if err != nil {
		t.Fatal(err)
	}
	qr := lastAttempt(o)
	if _, err := r.till.Amend(ctx, o.Number, o.Lines); !errors.Is(err, pos.ErrNotOpen) {
		t.Fatalf("amend while payable: %v, want ErrNotOpen", err)
	}
	got, err := r.till.Reopen(ctx, o.Number)
	if err != nil || got.Status != pos.OrderOpen || r.alipay.state(qr.OutTradeNo) != payments.StateClosed || got.Attempts[0].Open() {
		t.Fatalf("reopen: %s, %v, QR at the provider %s", got.Status, err, r.alipay.state(qr.OutTradeNo))
	}
	if err := r.alipay.pay(qr.OutTradeNo); err == nil {
		t.Fatal("the old QR can still be paid after going back to the basket")
	}
	lines := append(o.Lines, pos.Line{SKU: "GUM", NameEN: "Gum", UnitPrice: 150, Quantity: 2, Total: 300})
	if _, err := r.till.Amend(ctx, o.Number, nil); !errors.Is(err, pos.ErrEmptyBasket) {
		t.Fatalf("amend to nothing: %v", err)
	}
	got, err = r.till.Amend(ctx, o.Number, lines)
	if err != nil || got.Total != 1550 || len(got.Lines) != 2 || got.Number != o.Number || got.DailyNo != o.DailyNo {
		t.Fatalf("amend: total %s, %d lines, %v", got.Total, len(got.Lines), err)
	}
	// A verified late payment of the old QR pays nothing
	// of the edited sale: it goes back.
	if err := r.till.HandleNotification(ctx, paidNotification(qr, 1250), pos.SourceNotify); err != nil {
		t.Fatal(err)
	}
	late := r.waitFor(o.Number, "old QR's payment refunded", func(o pos.Order) bool {
		return len(o.Refunds) == 1 && o.Refunds[0].Status == payments.RefundSuccess
	})
	if late.Status != pos.OrderOpen || late.PaidBy != "" || late.Attempts[0].Status != pos.AttemptRefunded {
		t.Fatalf("late payment for the unedited sale: order %s paid by %q, attempt %s", late.Status, late.PaidBy, late.Attempts[0].Status)
	}
	got, err = r.till.Pay(ctx, o.Number, payments.WeChat)
	if err != nil || lastAttempt(got).Amount != 1550 {
		t.Fatalf("pay the edited sale: %v, attempt for %s", err, lastAttempt(got).Amount)
	}
	if k := kinds(t, r, o.Number); k[pos.EventReopened] != 1 || k[pos.EventAmended] != 1 {
		t.Errorf("events %v", k)
	}
	// Paid while the QR was being closed: reported paid, not reopened.
	r.wechat.payOnClose = true
	got, err = r.till.Reopen(ctx, o.Number)
	if !errors.Is(err, pos.ErrAlreadyPaid) || got.Status != pos.OrderPaid {
		t.Fatalf("reopen racing a payment: %s, %v", got.Status, err)
	}
}

func TestDailyNumbersOnCheckout(t *testing.T) {
	r := newRig(t, nil)
	a, b := r.checkout(), r.checkout()
	if a.DailyNo < 1 || b.DailyNo != a.DailyNo+1 {
		t.Fatalf("daily numbers %d, %d", a.DailyNo, b.DailyNo)
	}
}
