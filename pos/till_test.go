package pos_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/storage"
)

// scripted is an in-memory provider whose answers a test controls exactly:
// it lets the till's own rules (races, outages, retries) be tested one by
// one. The real providers are tested against the sandbox gateway.
type scripted struct {
	ch payments.Channel

	mu          sync.Mutex
	trades      map[string]*payments.TradeStatus
	refunds     map[string]payments.RefundResult
	queries     int
	closes      int
	failNext    int  // calls that answer ErrUnavailable
	payOnClose  bool // the buyer pays just before the close lands
	refundFails int  // refunds that answer ErrUnavailable
}

func newScripted(ch payments.Channel) *scripted {
	return &scripted{ch: ch, trades: map[string]*payments.TradeStatus{}, refunds: map[string]payments.RefundResult{}}
}

func (s *scripted) trouble() error {
	if s.failNext > 0 {
		s.failNext--
		return fmt.Errorf("scripted outage: %w", payments.ErrUnavailable)
	}
	return nil
}

func (s *scripted) Channel() payments.Channel { return s.ch }

func (s *scripted) CreateQR(_ context.Context, r payments.QRRequest) (payments.QR, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.trouble(); err != nil {
		return payments.QR{}, err
	}
	s.trades[r.OutTradeNo] = &payments.TradeStatus{OutTradeNo: r.OutTradeNo, State: payments.StateWaitingScan, AmountFen: r.AmountFen}
	return payments.QR{Content: "http://wallet.test/pay/" + r.OutTradeNo, ExpiresAt: r.ExpiresAt}, nil
}

func (s *scripted) Query(_ context.Context, no string) (payments.TradeStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries++
	if err := s.trouble(); err != nil {
		return payments.TradeStatus{}, err
	}
	t := s.trades[no]
	if t == nil {
		return payments.TradeStatus{OutTradeNo: no, State: payments.StateNotFound}, nil
	}
	return *t, nil
}

func (s *scripted) Close(_ context.Context, no string) (payments.TradeStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes++
	if err := s.trouble(); err != nil {
		return payments.TradeStatus{}, err
	}
	t := s.trades[no]
	if t == nil {
		t = &payments.TradeStatus{OutTradeNo: no}
		s.trades[no] = t
	}
	if s.payOnClose && t.State != payments.StateClosed {
		s.payOnClose = false
		s.payLocked(t)
	}
	if t.State != payments.StatePaid {
		t.State = payments.StateClosed
	}
	return *t, nil
}

func (s *scripted) payLocked(t *payments.TradeStatus) {
	t.State = payments.StatePaid
	t.PaidFen = t.AmountFen
	t.ProviderTradeNo = "T-" + t.OutTradeNo
	t.Buyer = "159****5620"
	t.PaidAt = time.Now()
}

// pay makes the buyer pay (fails if the trade was closed).
func (s *scripted) pay(no string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[no]
	if t == nil || t.State == payments.StateClosed {
		return errors.New("trade closed")
	}
	s.payLocked(t)
	return nil
}

func (s *scripted) state(no string) payments.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.trades[no]; t != nil {
		return t.State
	}
	return ""
}

func (s *scripted) Refund(_ context.Context, r payments.RefundRequest) (payments.RefundResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refundFails > 0 {
		s.refundFails--
		return payments.RefundResult{}, payments.ErrUnavailable
	}
	if prev, ok := s.refunds[r.RefundNo]; ok {
		return prev, nil
	}
	res := payments.RefundResult{OutTradeNo: r.OutTradeNo, RefundNo: r.RefundNo, State: payments.RefundSuccess, AmountFen: r.AmountFen}
	s.refunds[r.RefundNo] = res
	return res, nil
}

func (s *scripted) QueryRefund(_ context.Context, no, refundNo string) (payments.RefundResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.refunds[refundNo]; ok {
		return r, nil
	}
	return payments.RefundResult{}, payments.ErrNotFound
}

func (s *scripted) refunded(refundNo string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refunds[refundNo]
	return ok
}

func (s *scripted) PayByCode(context.Context, payments.CodePayRequest) (payments.TradeStatus, error) {
	return payments.TradeStatus{}, payments.ErrRejected
}
func (s *scripted) Reverse(context.Context, string) error { return nil }

type rig struct {
	t      *testing.T
	store  *storage.DB
	alipay *scripted
	wechat *scripted
	till   *pos.Till
	cfg    pos.TillConfig
}

func newRig(t *testing.T, edit func(c *pos.TillConfig)) *rig {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "orders.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, store: db, alipay: newScripted(payments.Alipay), wechat: newScripted(payments.WeChat)}
	gen := pos.NewOrderNumberGenerator(time.Now, time.Local)
	r.cfg = pos.TillConfig{
		Store:      db,
		Providers:  map[payments.Channel]payments.Provider{payments.Alipay: r.alipay, payments.WeChat: r.wechat},
		NextNumber: gen.Next,
		Poll:       pos.DefaultPollPolicy().Scaled(0.005), // 1.5 s → 7.5 ms
		ShopName:   "Test shop",
	}
	if edit != nil {
		edit(&r.cfg)
	}
	r.start()
	t.Cleanup(func() {
		r.till.Close()
		db.Close()
	})
	return r
}

func (r *rig) start() {
	r.t.Helper()
	till, err := pos.NewTill(r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.till = till
}

func (r *rig) checkout() pos.Order {
	r.t.Helper()
	lines := []pos.Line{{SKU: "W1", NameZH: "水", NameEN: "Water", UnitPrice: 250, Quantity: 5, Total: 1250}}
	o, err := r.till.Checkout(context.Background(), lines, "ann", "till-1")
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

// waitFor polls the stored order until cond holds, with a deadline.
func (r *rig) waitFor(number, what string, cond func(o pos.Order) bool) pos.Order {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		o, err := r.store.Order(context.Background(), number)
		if err == nil && cond(o) {
			return o
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; order is %+v", what, o)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func status(st pos.OrderStatus) func(pos.Order) bool {
	return func(o pos.Order) bool { return o.Status == st }
}

func lastAttempt(o pos.Order) pos.Attempt { return o.Attempts[len(o.Attempts)-1] }

func TestCheckoutStoresBeforeAnyNetworkCall(t *testing.T) {
	r := newRig(t, nil)
	r.alipay.failNext = 1
	o := r.checkout()
	if o.Status != pos.OrderOpen || o.Total != 1250 {
		t.Fatalf("order %+v", o)
	}
	if _, err := r.store.Order(context.Background(), o.Number); err != nil {
		t.Fatalf("order not stored: %v", err)
	}
	// The QR request fails with an unknown outcome: the attempt is kept
	// and closed at the provider, never lost.
	_, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("Pay error = %v, want ErrUnavailable", err)
	}
	got := r.waitFor(o.Number, "abandoned attempt closed", func(o pos.Order) bool {
		return len(o.Attempts) == 1 && !o.Attempts[0].Open()
	})
	if got.Status != pos.OrderAwaitingPayment || got.Attempts[0].Status != pos.AttemptClosed {
		t.Fatalf("after unknown QR outcome: order %s attempt %s", got.Status, got.Attempts[0].Status)
	}
}

func TestPaidByPolling(t *testing.T) {
	r := newRig(t, nil)
	updates, stop := r.till.Subscribe()
	defer stop()
	o := r.checkout()
	o, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if err != nil {
		t.Fatal(err)
	}
	a := lastAttempt(o)
	if a.Status != pos.AttemptWaiting || a.QRContent == "" || a.OutTradeNo == "" {
		t.Fatalf("attempt %+v", a)
	}
	if err := r.alipay.pay(a.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	got := r.waitFor(o.Number, "paid", status(pos.OrderPaid))
	pa := lastAttempt(got)
	if got.PaidBy != a.OutTradeNo || pa.ProviderTradeNo != "T-"+a.OutTradeNo || pa.PaidAmount != 1250 || got.Channel != payments.Alipay {
		t.Fatalf("paid order %+v", got)
	}
	// The screen saw a poll result and the paid event.
	sawPoll, sawPaid := false, false
	deadline := time.After(5 * time.Second)
	for !sawPaid || !sawPoll {
		select {
		case u := <-updates:
			if u.Poll != nil {
				sawPoll = true
			}
			if u.Event != nil && u.Event.Kind == "paid" {
				sawPaid = true
			}
		case <-deadline:
			t.Fatalf("updates: poll %v paid %v", sawPoll, sawPaid)
		}
	}
	waitWatchers(t, r.till, 0)
}

func waitWatchers(t *testing.T, till *pos.Till, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for till.Watching() != n {
		if time.Now().After(deadline) {
			t.Fatalf("watching %d attempts, want %d", till.Watching(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func paidNotification(a pos.Attempt, amount int64) payments.Notification {
	return payments.Notification{Channel: a.Channel, ID: "N-" + a.OutTradeNo, ReceivedAt: time.Now(),
		Status: payments.TradeStatus{OutTradeNo: a.OutTradeNo, State: payments.StatePaid, AmountFen: amount,
			PaidFen: amount, ProviderTradeNo: "T-notify"}}
}

func TestNotifications(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, err := r.till.Pay(ctx, o.Number, payments.WeChat)
	if err != nil {
		t.Fatal(err)
	}
	a := lastAttempt(o)

	// Wrong amount, unknown trade, wrong channel: refused, nothing moves.
	if err := r.till.HandleNotification(ctx, paidNotification(a, 1), pos.SourceNotify); !errors.Is(err, pos.ErrMismatch) {
		t.Errorf("wrong amount: %v", err)
	}
	bad := paidNotification(a, 1250)
	bad.Status.OutTradeNo = "NOPE"
	if err := r.till.HandleNotification(ctx, bad, pos.SourceNotify); !errors.Is(err, pos.ErrUnknownTrade) {
		t.Errorf("unknown trade: %v", err)
	}
	bad = paidNotification(a, 1250)
	bad.Channel = payments.Alipay
	if err := r.till.HandleNotification(ctx, bad, pos.SourceNotify); !errors.Is(err, pos.ErrMismatch) {
		t.Errorf("wrong channel: %v", err)
	}
	evs, _ := r.till.Events(ctx, o.Number)
	if got, _ := r.store.Order(ctx, o.Number); got.Status != pos.OrderAwaitingPayment {
		t.Fatalf("rejected notifications moved the order to %s", got.Status)
	}

	// A valid one pays; its duplicate changes nothing.
	if err := r.till.HandleNotification(ctx, paidNotification(a, 1250), pos.SourceNotify); err != nil {
		t.Fatal(err)
	}
	if err := r.till.HandleNotification(ctx, paidNotification(a, 1250), pos.SourceNotify); err != nil {
		t.Fatal(err)
	}
	got, _ := r.store.Order(ctx, o.Number)
	after, _ := r.till.Events(ctx, o.Number)
	if got.Status != pos.OrderPaid || len(after) != len(evs)+1 {
		t.Fatalf("status %s, %d new events; want paid and exactly one", got.Status, len(after)-len(evs))
	}
	if after[len(after)-1].Source != pos.SourceNotify {
		t.Errorf("paid event source %s, want notify", after[len(after)-1].Source)
	}
	if r.wechat.queries != 0 {
		t.Errorf("polling was off but %d queries were sent", r.wechat.queries)
	}
}

func TestCancelClosesAtTheProviderFirst(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	a := lastAttempt(o)

	r.alipay.failNext = 1
	got, err := r.till.Cancel(ctx, o.Number)
	if !errors.Is(err, pos.ErrClosePending) || got.Status != pos.OrderAwaitingPayment {
		t.Fatalf("cancel during an outage: %s, %v; want awaiting_payment, ErrClosePending", got.Status, err)
	}
	// The till keeps trying and cancels once the provider confirms.
	r.waitFor(o.Number, "cancelled", status(pos.OrderCancelled))
	if st := r.alipay.state(a.OutTradeNo); st != payments.StateClosed {
		t.Fatalf("provider state %s, want closed", st)
	}
	if err := r.alipay.pay(a.OutTradeNo); err == nil {
		t.Fatal("buyer could pay a cancelled sale")
	}
}

func TestCancelFindsThePaymentThatLandedFirst(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	r.alipay.payOnClose = true
	got, err := r.till.Cancel(ctx, o.Number)
	if err != nil || got.Status != pos.OrderPaid {
		t.Fatalf("cancel racing a payment: %s, %v; want paid", got.Status, err)
	}
}

func TestLatePaymentAfterCancelIsRefunded(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	a := lastAttempt(o)
	if _, err := r.till.Cancel(ctx, o.Number); err != nil {
		t.Fatal(err)
	}
	// A (signed, verified) notification says it was paid after all.
	if err := r.till.HandleNotification(ctx, paidNotification(a, 1250), pos.SourceNotify); err != nil {
		t.Fatal(err)
	}
	got := r.waitFor(o.Number, "automatic refund done", func(o pos.Order) bool {
		return len(o.Refunds) == 1 && o.Refunds[0].Status == payments.RefundSuccess
	})
	if got.Status != pos.OrderCancelled || !r.alipay.refunded(got.Refunds[0].RefundNo) {
		t.Fatalf("order %s refunds %+v", got.Status, got.Refunds)
	}
	if lastAttempt(got).Status != pos.AttemptRefunded {
		t.Errorf("attempt %s, want refunded", lastAttempt(got).Status)
	}
}

func TestExpiry(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.PaymentWindow = 80 * time.Millisecond })
	o := r.checkout()
	o, _ = r.till.Pay(context.Background(), o.Number, payments.WeChat)
	got := r.waitFor(o.Number, "expired", status(pos.OrderExpired))
	a := lastAttempt(got)
	if a.Status != pos.AttemptExpired || r.wechat.state(a.OutTradeNo) != payments.StateClosed {
		t.Fatalf("attempt %s provider %s", a.Status, r.wechat.state(a.OutTradeNo))
	}
	// Pay again after expiry: a new attempt on the same order.
	again, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if err != nil || len(again.Attempts) != 2 || again.Status != pos.OrderAwaitingPayment {
		t.Fatalf("pay again: %v, %d attempts, %s", err, len(again.Attempts), again.Status)
	}
}

func TestSwitchChannelClosesTheFirst(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	o := r.checkout()
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	first := lastAttempt(o)
	same, err := r.till.Pay(ctx, o.Number, payments.Alipay)
	if err != nil || len(same.Attempts) != 1 {
		t.Fatalf("same channel again: %v, %d attempts; want the same attempt", err, len(same.Attempts))
	}
	o, err = r.till.Pay(ctx, o.Number, payments.WeChat)
	if err != nil || len(o.Attempts) != 2 {
		t.Fatalf("switch: %v, %d attempts", err, len(o.Attempts))
	}
	if o.Attempts[0].Status != pos.AttemptClosed || r.alipay.state(first.OutTradeNo) != payments.StateClosed {
		t.Fatalf("first attempt %s at provider %s; want closed", o.Attempts[0].Status, r.alipay.state(first.OutTradeNo))
	}
	// If the first channel cannot confirm the close, no second QR is made.
	o2 := r.checkout()
	o2, _ = r.till.Pay(ctx, o2.Number, payments.Alipay)
	r.alipay.failNext = 1
	got, err := r.till.Pay(ctx, o2.Number, payments.WeChat)
	if !errors.Is(err, pos.ErrClosePending) || len(got.Attempts) != 1 {
		t.Fatalf("switch during outage: %v, %d attempts", err, len(got.Attempts))
	}
}

func TestRefunds(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := pos.WithRole(context.Background(), pos.RoleManager)
	o := r.checkout()
	if _, err := r.till.Refund(ctx, o.Number, 100, ""); !errors.Is(err, pos.ErrNotPaid) {
		t.Fatalf("refund unpaid: %v", err)
	}
	o, _ = r.till.Pay(ctx, o.Number, payments.Alipay)
	if err := r.till.HandleNotification(ctx, paidNotification(lastAttempt(o), 1250), pos.SourceNotify); err != nil {
		t.Fatal(err)
	}
	got, err := r.till.Refund(ctx, o.Number, 250, "one bottle back")
	if err != nil || got.Status != pos.OrderPartiallyRefunded {
		t.Fatalf("partial refund: %s, %v", got.Status, err)
	}
	if _, err := r.till.Refund(ctx, o.Number, 1001, ""); !errors.Is(err, pos.ErrRefundTooMuch) {
		t.Fatalf("over-refund: %v", err)
	}
	if _, err := r.till.Refund(ctx, o.Number, 0, ""); !errors.Is(err, pos.ErrRefundTooMuch) {
		t.Fatalf("zero refund: %v", err)
	}
	// An outage leaves the refund pending and reserved; the till retries it.
	r.alipay.refundFails = 1
	got, err = r.till.Refund(ctx, o.Number, 1000, "rest")
	if !errors.Is(err, pos.ErrRefundPending) || pos.Refundable(got) != 0 {
		t.Fatalf("refund in outage: %v, refundable %s", err, pos.Refundable(got))
	}
	if _, err := r.till.Refund(ctx, o.Number, 1, ""); !errors.Is(err, pos.ErrRefundTooMuch) {
		t.Fatalf("a pending refund must stay reserved: %v", err)
	}
	got = r.waitFor(o.Number, "refunded", status(pos.OrderRefunded))
	if len(got.Refunds) != 2 || got.Refunds[0].RefundNo == got.Refunds[1].RefundNo {
		t.Fatalf("refunds %+v", got.Refunds)
	}
}

func TestProviderTroubleIsReportedAndPollingGoesOn(t *testing.T) {
	r := newRig(t, nil)
	updates, stop := r.till.Subscribe()
	defer stop()
	r.alipay.mu.Lock()
	r.alipay.failNext = 0
	r.alipay.mu.Unlock()
	o := r.checkout()
	o, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if err != nil {
		t.Fatal(err)
	}
	r.alipay.mu.Lock()
	r.alipay.failNext = 2
	r.alipay.mu.Unlock()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case u := <-updates:
			if u.Poll != nil && u.Poll.Err != nil {
				if !errors.Is(u.Poll.Err, payments.ErrUnavailable) || u.Poll.NextIn <= 0 {
					t.Fatalf("trouble update %+v", u.Poll)
				}
				r.alipay.pay(lastAttempt(o).OutTradeNo)
				r.waitFor(o.Number, "paid after the outage", status(pos.OrderPaid))
				return
			}
		case <-deadline:
			t.Fatal("no trouble update")
		}
	}
}

func TestReconcileAfterACrash(t *testing.T) {
	r := newRig(t, func(c *pos.TillConfig) { c.NoPolling = true })
	ctx := context.Background()
	paid := r.checkout()
	paid, _ = r.till.Pay(ctx, paid.Number, payments.Alipay)
	unpaid := r.checkout()
	unpaid, _ = r.till.Pay(ctx, unpaid.Number, payments.WeChat)
	// The till goes away with both open; the first is paid meanwhile.
	r.till.Close()
	if err := r.alipay.pay(lastAttempt(paid).OutTradeNo); err != nil {
		t.Fatal(err)
	}
	r.start()
	changes, err := r.till.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("changes %+v", changes)
	}
	byNumber := map[string]pos.Change{}
	for _, c := range changes {
		byNumber[c.OrderNumber] = c
	}
	if c := byNumber[paid.Number]; c.To != pos.OrderPaid || c.Err != nil {
		t.Errorf("paid order change %+v", c)
	}
	if c := byNumber[unpaid.Number]; c.To != pos.OrderAwaitingPayment || c.Err != nil {
		t.Errorf("unpaid order change %+v", c)
	}
	if st := r.wechat.state(lastAttempt(unpaid).OutTradeNo); st != payments.StateClosed {
		t.Errorf("unpaid QR at provider %s, want closed", st)
	}
	if open, _ := r.store.OpenAttempts(ctx); len(open) != 0 {
		t.Errorf("%d orders still have open attempts", len(open))
	}
}
