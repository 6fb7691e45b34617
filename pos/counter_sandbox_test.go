package pos_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/pos"
)

// The counter end to end: the real till and order book, the real gopay
// providers, and the sandbox gateway speaking the providers' wire
// protocols, driven through its control API as a customer would.

// counterRig is a till on the sandbox: polling alone every 30 ms for a
// code payment, a code window of window.
func counterRig(t testing.TB, window time.Duration) *testkit.Rig {
	return testkit.New(t, testkit.Options{Poll: pos.DefaultPollPolicy().Scaled(0.01), CodeWindow: window})
}

// sale checks out one bottle of water and a pack of noodles.
func sale(t *testing.T, r *testkit.Rig) pos.Order {
	t.Helper()
	b := pos.NewBasket(r.Catalog)
	for _, code := range []string{"6921168509256", "6901025100024"} {
		if _, err := b.Add(code); err != nil {
			t.Fatal(err)
		}
	}
	o, err := r.Till.Checkout(context.Background(), b.Lines(), "ann", "till-1")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// saleWithQR checks out a sale and shows its QR on channel ch.
func saleWithQR(t *testing.T, r *testkit.Rig, ch payments.Channel) (pos.Order, pos.Attempt) {
	t.Helper()
	o, err := r.Till.Pay(context.Background(), sale(t, r).Number, ch)
	if err != nil {
		t.Fatal(err)
	}
	return o, lastAttempt(o)
}

// control posts a control API action (scan, pay, cancel) for a trade, as
// a demo script would, and returns the HTTP status.
func control(t *testing.T, r *testkit.Rig, outTradeNo, action string) int {
	t.Helper()
	resp, err := http.Post(r.Gateway.Info.BaseURL+"/sandbox/trades/"+outTradeNo+"/"+action, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// settle waits for the order's last attempt to be settled.
func settle(t *testing.T, r *testkit.Rig, number string) pos.Order {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := r.Till.Order(context.Background(), number)
		if err == nil && len(o.Attempts) > 0 && !lastAttempt(o).Open() {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s not settled: %+v", number, o)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sandboxTrade(t *testing.T, r *testkit.Rig, no string) sandbox.Trade {
	t.Helper()
	tr, err := r.Gateway.Ledger().Get(no)
	if err != nil {
		t.Fatalf("sandbox trade %s: %v", no, err)
	}
	return tr
}

func TestSandboxCodesPaid(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	for _, c := range []struct {
		code string
		ch   payments.Channel
	}{{"281234567890123456", payments.Alipay}, {"134567890123456789", payments.WeChat}} {
		o := sale(t, r)
		got, err := r.Till.PayByCode(ctx, o.Number, c.code)
		if err != nil || got.Status != pos.OrderPaid || got.Channel != c.ch {
			t.Fatalf("%s: %s by %s, %v", c.code, got.Status, got.Channel, err)
		}
		a := lastAttempt(got)
		if tr := sandboxTrade(t, r, a.OutTradeNo); tr.Status != sandbox.StatusPaid || tr.Kind != sandbox.KindCode || tr.AmountFen != int64(o.Total) {
			t.Fatalf("%s at the sandbox: %+v", c.code, tr)
		}
		if a.ProviderTradeNo == "" || a.PaidAmount != o.Total {
			t.Errorf("%s: attempt %+v", c.code, a)
		}
	}
}

func TestSandboxCodesWaitForThePassword(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	for _, code := range []string{"251234567890123456", "141234567890123456"} {
		o := sale(t, r)
		got, err := r.Till.PayByCode(ctx, o.Number, code)
		a := lastAttempt(got)
		if err != nil || !a.WaitingForPassword() {
			t.Fatalf("%s: attempt %s, %v; want waiting for the password", code, a.Status, err)
		}
		if st := control(t, r, a.OutTradeNo, "pay"); st != http.StatusOK { // the customer enters the password
			t.Fatalf("%s: control pay: HTTP %d", code, st)
		}
		if got := settle(t, r, o.Number); got.Status != pos.OrderPaid || got.PaidBy != a.OutTradeNo {
			t.Fatalf("%s: after the password: %s", code, got.Status)
		}
	}
}

func TestSandboxCodeNeverConfirmedIsReversed(t *testing.T) {
	r := counterRig(t, 300*time.Millisecond)
	ctx := context.Background()
	for _, code := range []string{"251234567890123456", "141234567890123456"} {
		o := sale(t, r)
		got, err := r.Till.PayByCode(ctx, o.Number, code)
		if err != nil {
			t.Fatal(err)
		}
		no := lastAttempt(got).OutTradeNo
		got = settle(t, r, o.Number)
		if got.Status == pos.OrderPaid || got.PaidBy != "" || lastAttempt(got).Status != pos.AttemptExpired {
			t.Fatalf("%s: order %s attempt %s; want reversed, not paid", code, got.Status, lastAttempt(got).Status)
		}
		if tr := sandboxTrade(t, r, no); tr.Status != sandbox.StatusClosed || tr.RefundedFen != 0 {
			t.Fatalf("%s at the sandbox: %+v", code, tr)
		}
		if st := control(t, r, no, "pay"); st != http.StatusConflict {
			t.Fatalf("%s: a reversed payment could still be paid (HTTP %d)", code, st)
		}
	}
}

func TestSandboxCodesRefused(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	for _, c := range []struct {
		code string
		want error
	}{
		{"101234567890123456", pos.ErrCodeRefused}, // WeChat: AUTH_CODE_INVALID
		{"111234567890123456", pos.ErrBalanceLow},  // WeChat: NOT_ENOUGH
		{"291234567890123456", pos.ErrCodeRefused}, // Alipay: ACQ.PAYMENT_AUTH_CODE_INVALID
		{"261234567890123456", pos.ErrBalanceLow},  // Alipay: ACQ.BUYER_BALANCE_NOT_ENOUGH
	} {
		o := sale(t, r)
		_, err := r.Till.PayByCode(ctx, o.Number, c.code)
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", c.code, err, c.want)
		}
		sentenceOf(t, c.code, err)
		got, _ := r.Till.Order(ctx, o.Number)
		a := lastAttempt(got)
		if a.Status != pos.AttemptFailed || got.PaidBy != "" {
			t.Fatalf("%s: attempt %s", c.code, a.Status)
		}
		if _, err := r.Gateway.Ledger().Get(a.OutTradeNo); err == nil {
			t.Errorf("%s: a refused code made a trade", c.code)
		}
		// The cashier scans a good code next.
		if got, err := r.Till.PayByCode(ctx, o.Number, "151234567890123456"); err != nil || got.Status != pos.OrderPaid {
			t.Fatalf("%s, then a good code: %s, %v", c.code, got.Status, err)
		}
	}
}

// sentenceOf checks an error reads as a sentence for the cashier, with
// no Go error chain in it.
func sentenceOf(t *testing.T, what string, err error) {
	t.Helper()
	if msg := err.Error(); len(msg) < 20 || msg[len(msg)-1] != '.' {
		t.Errorf("%s: %q is not a sentence", what, msg)
	}
}

// Answers that leave the outcome unknown are queried, never guessed.
func TestSandboxCodeUnknownOutcomes(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	// Alipay 27…: ACQ.SYSTEM_ERROR, yet paid; WeChat 12…: paid behind a 500.
	for _, code := range []string{"271234567890123456", "121234567890123456"} {
		o := sale(t, r)
		got, err := r.Till.PayByCode(ctx, o.Number, code)
		if err != nil || lastAttempt(got).Status != pos.AttemptCreating {
			t.Fatalf("%s: %v, attempt %s; want it open and queried", code, err, lastAttempt(got).Status)
		}
		if got := settle(t, r, o.Number); got.Status != pos.OrderPaid {
			t.Fatalf("%s: %s after the queries, want paid", code, got.Status)
		}
	}
}

// An outage on the charge: nothing reached the provider. The till asks,
// and reverses at the deadline; nothing is paid or left payable.
func TestSandboxCodeOutage(t *testing.T) {
	r := counterRig(t, 300*time.Millisecond)
	ctx := context.Background()
	o := sale(t, r)
	r.Gateway.PostFaults(t, sandbox.Faults{FailNext: 1})
	got, err := r.Till.PayByCode(ctx, o.Number, "281234567890123456")
	if err != nil || !lastAttempt(got).Open() {
		t.Fatalf("charge in an outage: %v, attempt %s", err, lastAttempt(got).Status)
	}
	got = settle(t, r, o.Number)
	if got.Status == pos.OrderPaid || lastAttempt(got).Status != pos.AttemptExpired {
		t.Fatalf("after the outage: order %s attempt %s", got.Status, lastAttempt(got).Status)
	}
}

// A code scanned while a QR is shown: the QR is closed at the provider
// first, and only the code's payment is kept.
func TestSandboxCodeWhileAQRIsShown(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	o, qr := saleWithQR(t, r, payments.Alipay)
	if st := control(t, r, qr.OutTradeNo, "scan"); st != http.StatusOK {
		t.Fatalf("scan the QR: HTTP %d", st)
	}
	got, err := r.Till.PayByCode(ctx, o.Number, "134567890123456789")
	if err != nil || got.Status != pos.OrderPaid || got.Channel != payments.WeChat {
		t.Fatalf("code over a QR: %s by %s, %v", got.Status, got.Channel, err)
	}
	if tr := sandboxTrade(t, r, qr.OutTradeNo); tr.Status != sandbox.StatusClosed {
		t.Fatalf("the QR at the sandbox: %s, want closed", tr.Status)
	}
	if st := control(t, r, qr.OutTradeNo, "pay"); st != http.StatusConflict {
		t.Fatalf("the closed QR could still be paid (HTTP %d)", st)
	}
	paid := 0
	for _, tr := range r.Gateway.Ledger().List() {
		if tr.Status == sandbox.StatusPaid {
			paid++
		}
	}
	if paid != 1 || got.Attempts[0].Status != pos.AttemptClosed {
		t.Fatalf("%d payments at the sandbox, QR attempt %s; want one", paid, got.Attempts[0].Status)
	}
}

// Esc back to the basket, edit, check out again, pay by code: the new
// total is charged, under the same order and daily number.
func TestSandboxReopenAmendPay(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	o, qr := saleWithQR(t, r, payments.WeChat)
	got, err := r.Till.Reopen(ctx, o.Number)
	if err != nil || got.Status != pos.OrderOpen || sandboxTrade(t, r, qr.OutTradeNo).Status != sandbox.StatusClosed {
		t.Fatalf("reopen: %s, %v", got.Status, err)
	}
	b := pos.NewBasket(r.Catalog)
	for _, code := range []string{"6921168509256", "6921168509256", "6901025100024"} {
		if _, err := b.Add(code); err != nil {
			t.Fatal(err)
		}
	}
	got, err = r.Till.Amend(ctx, o.Number, b.Lines())
	if err != nil || got.Total != b.Total() {
		t.Fatalf("amend: %s, %v", got.Total, err)
	}
	got, err = r.Till.PayByCode(ctx, o.Number, "281234567890123456")
	if err != nil || got.Status != pos.OrderPaid || got.DailyNo != o.DailyNo {
		t.Fatalf("pay the edited sale: %s #%d, %v", got.Status, got.DailyNo, err)
	}
	if tr := sandboxTrade(t, r, got.PaidBy); tr.AmountFen != int64(b.Total()) {
		t.Fatalf("charged %d fen, want the edited total %d", tr.AmountFen, b.Total())
	}
}

// Cash next to the providers: a QR shown is closed first; refunds come
// from the drawer.
func TestSandboxCashOverAQR(t *testing.T) {
	r := counterRig(t, 10*time.Second)
	ctx := context.Background()
	o, _ := saleWithQR(t, r, payments.Alipay)
	got, err := r.Till.PayCash(ctx, o.Number, 10000)
	if err != nil || got.Status != pos.OrderPaid || got.Channel != payments.Cash {
		t.Fatalf("cash: %s, %v", got.Status, err)
	}
	if tr := sandboxTrade(t, r, got.Attempts[0].OutTradeNo); tr.Status != sandbox.StatusClosed {
		t.Fatalf("the QR at the sandbox: %s", tr.Status)
	}
	if _, change, _ := got.Cash(); change != 10000-o.Total {
		t.Fatalf("change %s", change)
	}
}

// The till stops while one customer enters the password and another has
// not yet; a new till on the same book settles both before its first sale.
func TestSandboxCodeSettledAfterARestart(t *testing.T) {
	r := counterRig(t, 1500*time.Millisecond)
	ctx := context.Background()
	confirms, forgets := sale(t, r), sale(t, r)
	var confirming string
	for _, o := range []pos.Order{confirms, forgets} {
		got, err := r.Till.PayByCode(ctx, o.Number, "251234567890123456")
		if err != nil {
			t.Fatal(err)
		}
		if o.Number == confirms.Number {
			confirming = lastAttempt(got).OutTradeNo
		}
	}
	r.Restart(t)
	done := make(chan int, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		resp, err := http.Post(r.Gateway.Info.BaseURL+"/sandbox/trades/"+confirming+"/pay", "application/json", nil)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	changes, err := r.Till.Reconcile(ctx)
	if st := <-done; st != http.StatusOK {
		t.Fatalf("the customer's password: HTTP %d", st)
	}
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]pos.OrderStatus{}
	for _, c := range changes {
		to[c.OrderNumber] = c.To
		if c.Err != nil {
			t.Errorf("change %+v", c)
		}
	}
	if to[confirms.Number] != pos.OrderPaid || to[forgets.Number] == pos.OrderPaid || to[forgets.Number] == "" {
		t.Fatalf("after Reconcile: %v", to)
	}
	got, _ := r.Till.Order(ctx, forgets.Number)
	if tr := sandboxTrade(t, r, lastAttempt(got).OutTradeNo); tr.Status != sandbox.StatusClosed {
		t.Fatalf("the unconfirmed payment at the sandbox: %s, want reversed", tr.Status)
	}
	if open, _ := r.Store.OpenAttempts(ctx); len(open) != 0 {
		t.Fatalf("%d orders left open", len(open))
	}
}
