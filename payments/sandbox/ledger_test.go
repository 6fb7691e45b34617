package sandbox

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
)

// reach builds a trade of ch in the named state on l.
func reach(t *testing.T, l *Ledger, clock *fakeClock, ch payments.Channel, no, state string) {
	t.Helper()
	if _, err := l.Create(ch, KindQR, no, 1250, "Water", "", clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var err error
	switch state {
	case "created":
	case "scanned":
		_, err = l.Scan(no)
	case "paid":
		_, err = l.Pay(no)
	case "closed":
		_, err = l.Close(no)
	case "partly refunded":
		if _, err = l.Pay(no); err == nil {
			_, _, _, err = l.Refund(no, "R0", 250)
		}
	case "refunded":
		if _, err = l.Pay(no); err == nil {
			_, _, _, err = l.Refund(no, "R0", 1250)
		}
	default:
		t.Fatalf("no state %q", state)
	}
	if err != nil {
		t.Fatalf("reach %s: %v", state, err)
	}
}

// TestLedgerMoves tries every step from every state, on both channels.
func TestLedgerMoves(t *testing.T) {
	type op func(l *Ledger, no string) (Trade, error)
	ops := map[string]op{
		"scan":  (*Ledger).Scan,
		"pay":   (*Ledger).Pay,
		"close": (*Ledger).Close,
		"cancel": func(l *Ledger, no string) (Trade, error) {
			tr, _, err := l.Cancel(no)
			return tr, err
		},
		"refund rest": func(l *Ledger, no string) (Trade, error) {
			tr, _ := l.Get(no)
			tr, _, _, err := l.Refund(no, "R9", tr.AmountFen-tr.RefundedFen)
			return tr, err
		},
	}
	tests := []struct {
		from, op string
		want     TradeStatus
		err      error
	}{
		{"created", "scan", StatusScanned, nil},
		{"created", "pay", StatusPaid, nil},
		{"created", "close", StatusClosed, nil},
		{"created", "cancel", StatusClosed, nil},
		{"created", "refund rest", StatusCreated, ErrNotPaid},

		{"scanned", "scan", StatusScanned, nil},
		{"scanned", "pay", StatusPaid, nil},
		{"scanned", "close", StatusClosed, nil},
		{"scanned", "cancel", StatusClosed, nil},
		{"scanned", "refund rest", StatusScanned, ErrNotPaid},

		{"paid", "scan", StatusPaid, ErrTradePaid},
		{"paid", "pay", StatusPaid, ErrTradePaid},
		{"paid", "close", StatusPaid, ErrTradePaid},
		{"paid", "cancel", StatusRefunded, nil},
		{"paid", "refund rest", StatusRefunded, nil},

		{"partly refunded", "scan", StatusPaid, ErrTradePaid},
		{"partly refunded", "pay", StatusPaid, ErrTradePaid},
		{"partly refunded", "close", StatusPaid, ErrTradePaid},
		{"partly refunded", "cancel", StatusRefunded, nil},
		{"partly refunded", "refund rest", StatusRefunded, nil},

		{"closed", "scan", StatusClosed, ErrTradeClosed},
		{"closed", "pay", StatusClosed, ErrTradeClosed},
		{"closed", "close", StatusClosed, nil},
		{"closed", "cancel", StatusClosed, nil},
		{"closed", "refund rest", StatusClosed, ErrNotPaid},

		{"refunded", "scan", StatusRefunded, ErrTradePaid},
		{"refunded", "pay", StatusRefunded, ErrTradePaid},
		{"refunded", "close", StatusRefunded, ErrTradePaid},
		{"refunded", "cancel", StatusRefunded, nil},
		{"refunded", "refund rest", StatusRefunded, ErrRefundTooMuch},
	}
	for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%s/%s", ch, tt.from, tt.op), func(t *testing.T) {
				clock := newFakeClock()
				l := NewLedger(clock.Now)
				reach(t, l, clock, ch, "T1", tt.from)
				_, err := ops[tt.op](l, "T1")
				if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				got, _ := l.Get("T1")
				if got.Status != tt.want {
					t.Fatalf("status = %s, want %s", got.Status, tt.want)
				}
				if _, err := ops[tt.op](l, "NOPE"); !errors.Is(err, ErrTradeNotFound) {
					t.Fatalf("unknown trade: %v", err)
				}
			})
		}
	}
}

func TestLedgerCancelAction(t *testing.T) {
	for from, want := range map[string]string{
		"created": "close", "scanned": "close", "closed": "close",
		"paid": "refund", "partly refunded": "refund", "refunded": "refund",
	} {
		t.Run(from, func(t *testing.T) {
			clock := newFakeClock()
			l := NewLedger(clock.Now)
			reach(t, l, clock, payments.Alipay, "C1", from)
			tr, action, err := l.Cancel("C1")
			if err != nil || action != want {
				t.Fatalf("cancel = %q, %v; want %q", action, err, want)
			}
			if want == "refund" && tr.RefundedFen != tr.AmountFen {
				t.Fatalf("cancel refunded %d of %d", tr.RefundedFen, tr.AmountFen)
			}
		})
	}
}

func TestLedgerIDs(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	digits28 := regexp.MustCompile(`^\d{28}$`)

	l.Create(payments.Alipay, KindQR, "A1", 100, "x", "", time.Time{})
	a, _ := l.Scan("A1")
	if !digits28.MatchString(a.TradeNo) || a.TradeNo[:8] != "20261122" {
		t.Errorf("Alipay trade_no at scan %q", a.TradeNo)
	}
	if !regexp.MustCompile(`^2088\d{12}$`).MatchString(a.BuyerID) || !regexp.MustCompile(`^1\d\d\*\*\*\*\d{4}$`).MatchString(a.BuyerLogon) {
		t.Errorf("Alipay buyer %q %q", a.BuyerID, a.BuyerLogon)
	}
	if a.ScannedAt != clock.Now() {
		t.Errorf("scanned at %v", a.ScannedAt)
	}
	clock.Add(time.Minute)
	if p, _ := l.Pay("A1"); p.TradeNo != a.TradeNo || p.BuyerID != a.BuyerID || p.PaidAt != clock.Now() {
		t.Errorf("pay changed the ids: %+v", p)
	}

	l.Create(payments.WeChat, KindQR, "W1", 100, "x", "", time.Time{})
	w, _ := l.Scan("W1")
	if w.TradeNo != "" || w.BuyerID == "" {
		t.Errorf("WeChat scan: transaction_id %q before pay, openid %q", w.TradeNo, w.BuyerID)
	}
	w, _ = l.Pay("W1")
	if !digits28.MatchString(w.TradeNo) || w.TradeNo[:4] != "4200" {
		t.Errorf("WeChat transaction_id %q", w.TradeNo)
	}
	// Paying straight away (no scan first) still assigns a buyer.
	l.Create(payments.Alipay, KindCode, "A2", 100, "x", "", time.Time{})
	if p, _ := l.Pay("A2"); p.BuyerID == "" || p.TradeNo == "" || p.ScannedAt.IsZero() {
		t.Errorf("pay without scan: %+v", p)
	}
}

func TestLedgerCreate(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	exp := clock.Now().Add(5 * time.Minute)
	first, err := l.Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n", exp)
	if err != nil || first.Status != StatusCreated || first.CreatedAt != clock.Now() || first.ExpiresAt != exp ||
		first.Kind != KindQR || first.NotifyURL != "http://n" {
		t.Fatalf("create: %+v %v", first, err)
	}
	clock.Add(time.Second)
	again, err := l.Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n", exp)
	if err != nil || again.CreatedAt != first.CreatedAt {
		t.Fatalf("same create again: %+v %v", again, err)
	}
	for name, c := range map[string]struct {
		ch      payments.Channel
		amount  int64
		subject string
	}{
		"other amount":  {payments.Alipay, 999, "Water"},
		"other subject": {payments.Alipay, 1250, "Tea"},
		"other channel": {payments.WeChat, 1250, "Water"},
	} {
		if _, err := l.Create(c.ch, KindQR, "A1", c.amount, c.subject, "", exp); !errors.Is(err, ErrTradeConflict) {
			t.Errorf("%s: %v, want ErrTradeConflict", name, err)
		}
	}
	if got, _ := l.Get("A1"); got.AmountFen != 1250 {
		t.Fatalf("conflict changed the trade: %+v", got)
	}
}

func TestLedgerExpiry(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	exp := clock.Now().Add(5 * time.Minute)
	for _, no := range []string{"created", "scanned", "paid", "never"} {
		e := exp
		if no == "never" {
			e = time.Time{}
		}
		l.Create(payments.WeChat, KindQR, no, 100, "x", "", e)
	}
	l.Scan("scanned")
	l.Pay("paid")
	clock.Add(5*time.Minute - time.Nanosecond)
	if tr, _ := l.Get("created"); tr.Status != StatusCreated {
		t.Fatalf("expired early: %s", tr.Status)
	}
	clock.Add(time.Nanosecond)
	want := map[string]TradeStatus{"created": StatusClosed, "scanned": StatusClosed, "paid": StatusPaid, "never": StatusCreated}
	for _, tr := range l.List() { // List applies expiry too
		if tr.Status != want[tr.OutTradeNo] {
			t.Errorf("%s: %s, want %s", tr.OutTradeNo, tr.Status, want[tr.OutTradeNo])
		}
		if tr.Status == StatusClosed && tr.ClosedAt != exp {
			t.Errorf("%s closed at %v, want the expiry", tr.OutTradeNo, tr.ClosedAt)
		}
	}
	if _, err := l.Pay("created"); !errors.Is(err, ErrTradeClosed) {
		t.Fatalf("pay after expiry: %v", err)
	}
	if _, err := l.Scan("scanned"); !errors.Is(err, ErrTradeClosed) {
		t.Fatalf("scan after expiry: %v", err)
	}
}

func TestLedgerRefunds(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	reach(t, l, clock, payments.WeChat, "T1", "paid")
	steps := []struct {
		no      string
		amount  int64
		isNew   bool
		err     error
		total   int64
		status  TradeStatus
		refunds int
	}{
		{"R1", 0, false, ErrRefundTooMuch, 0, StatusPaid, 0},
		{"R1", -5, false, ErrRefundTooMuch, 0, StatusPaid, 0},
		{"R1", 1251, false, ErrRefundTooMuch, 0, StatusPaid, 0},
		{"R1", 250, true, nil, 250, StatusPaid, 1},
		{"R1", 250, false, nil, 250, StatusPaid, 1}, // the same refund no again: nothing new
		{"R1", 999, false, nil, 250, StatusPaid, 1}, // even with another amount
		{"R2", 1001, false, ErrRefundTooMuch, 250, StatusPaid, 1},
		{"R2", 1000, true, nil, 1250, StatusRefunded, 2},
		{"R3", 1, false, ErrRefundTooMuch, 1250, StatusRefunded, 2},
		{"R2", 1000, false, nil, 1250, StatusRefunded, 2},
	}
	for i, s := range steps {
		tr, r, isNew, err := l.Refund("T1", s.no, s.amount)
		if !errors.Is(err, s.err) || (s.err == nil && err != nil) || isNew != s.isNew {
			t.Fatalf("step %d: isNew %v err %v; want %v %v", i, isNew, err, s.isNew, s.err)
		}
		if tr.RefundedFen != s.total || tr.Status != s.status || len(tr.Refunds) != s.refunds {
			t.Fatalf("step %d: %d fen %s %d refunds", i, tr.RefundedFen, tr.Status, len(tr.Refunds))
		}
		if err == nil && (r.RefundNo != s.no || r.RefundID == "") {
			t.Fatalf("step %d: refund %+v", i, r)
		}
	}
}

func TestLedgerListNewestFirst(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	for _, no := range []string{"B", "A", "C"} {
		l.Create(payments.Alipay, KindQR, no, 100, "x", "", time.Time{})
		clock.Add(time.Second)
	}
	var got []string
	for _, tr := range l.List() {
		got = append(got, tr.OutTradeNo)
	}
	if fmt.Sprint(got) != "[C A B]" {
		t.Fatalf("list order %v", got)
	}
}

// TestLedgerPayOnce: many buyers pressing Pay at once pay once and
// start one notification.
func TestLedgerPayOnce(t *testing.T) {
	l := NewLedger(nil)
	var paid atomic.Int32
	l.onPaid = func(Trade) { paid.Add(1) }
	l.Create(payments.WeChat, KindQR, "T1", 100, "x", "http://n", time.Time{})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Pay("T1"); err == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || paid.Load() != 1 {
		t.Fatalf("%d payments succeeded, %d notifications; want 1 and 1", ok.Load(), paid.Load())
	}
}

// TestLedgerSnapshots: a returned trade is a copy.
func TestLedgerSnapshots(t *testing.T) {
	clock := newFakeClock()
	l := NewLedger(clock.Now)
	reach(t, l, clock, payments.Alipay, "T1", "partly refunded")
	tr, _ := l.Get("T1")
	tr.Status = StatusClosed
	tr.Refunds[0].AmountFen = 1
	if again, _ := l.Get("T1"); again.Status != StatusPaid || again.Refunds[0].AmountFen != 250 {
		t.Fatalf("the ledger shares memory with its callers: %+v", again)
	}
}
