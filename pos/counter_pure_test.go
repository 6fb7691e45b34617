package pos

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

// The counter's pure functions, one table each: what a scan, a typed
// quantity or a cash amount means, before anything is stored or sent.

// sentenceOK checks that err reads as one plain sentence for people.
func sentenceOK(t *testing.T, what string, err error) {
	t.Helper()
	msg := err.Error()
	if len(msg) < 20 || strings.ContainsAny(msg, "\n") || strings.Contains(msg, "%!") {
		t.Errorf("%s: %q does not read as one sentence", what, msg)
	}
}

func TestCodeChannel(t *testing.T) {
	tests := []struct {
		code string
		want payments.Channel
	}{
		{"281234567890123456", payments.Alipay},       // 18 digits, 28
		{"2512345678901234", payments.Alipay},         // 16 digits, the shortest
		{"301234567890123456789012", payments.Alipay}, // 24 digits, the longest, 30
		{" 261234567890123456\n", payments.Alipay},    // a scanner's spaces and newline
		{"134567890123456789", payments.WeChat},       // 18 digits, 13
		{"101234567890123456", payments.WeChat},
		{"151234567890123456", payments.WeChat},
		{"3112345678901234", ""},          // 31: nobody's
		{"241234567890123456", ""},        // 24: nobody's
		{"251234567890123", ""},           // 15 digits
		{"2512345678901234567890123", ""}, // 25 digits
		{"16123456789012345678", ""},      // 16 prefix
		{"13456789012345678", ""},         // WeChat, 17 digits
		{"1345678901234567890", ""},       // WeChat, 19 digits
		{"28123456789012345x", ""},
		{"6921168509256", ""}, // an EAN-13 product barcode
		{"", ""},
		{"２８１２３４５６７８９０１２３４５６", ""}, // full-width digits are not what a scanner sends
	}
	for _, tt := range tests {
		got, err := CodeChannel(tt.code)
		if got != tt.want {
			t.Errorf("CodeChannel(%q) = %q, %v; want %q", tt.code, got, err, tt.want)
		}
		if tt.want == "" {
			if !errors.Is(err, ErrNotPaymentCode) {
				t.Errorf("CodeChannel(%q): error %v, want ErrNotPaymentCode", tt.code, err)
				continue
			}
			sentenceOK(t, tt.code, err)
		} else if err != nil {
			t.Errorf("CodeChannel(%q): %v", tt.code, err)
		}
	}
}

func TestParseQuantityPrefix(t *testing.T) {
	tests := []struct {
		in       string
		qty      int
		rest     string
		sentinel error
	}{
		{"3*6921168509256", 3, "6921168509256", nil},
		{"6921168509256", 1, "6921168509256", nil},
		{"tea", 1, "tea", nil},
		{" 2 * green tea ", 2, "green tea", nil},
		{"999*tea", 999, "tea", nil},
		{"007*tea", 7, "tea", nil},
		{"３＊6921168509256", 3, "6921168509256", nil}, // full-width, as an input method types it
		{"0*tea", 0, "", ErrQuantityLimit},
		{"000*tea", 0, "", ErrQuantityLimit},
		{"1000*tea", 0, "", ErrQuantityLimit},
		{"99999999999999999999*tea", 0, "", ErrQuantityLimit},
		{"*tea", 0, "", ErrBadQuantity},
		{"x*tea", 0, "", ErrBadQuantity},
		{"-1*tea", 0, "", ErrBadQuantity},
		{"1.5*tea", 0, "", ErrBadQuantity},
		{"3*", 0, "", ErrBadQuantity},
		{"3* ", 0, "", ErrBadQuantity},
		{"3*4*tea", 0, "", ErrBadQuantity},
	}
	for _, tt := range tests {
		qty, rest, err := ParseQuantityPrefix(tt.in)
		if qty != tt.qty || rest != tt.rest || !errors.Is(err, tt.sentinel) || (tt.sentinel == nil) != (err == nil) {
			t.Errorf("ParseQuantityPrefix(%q) = %d, %q, %v; want %d, %q, %v", tt.in, qty, rest, err, tt.qty, tt.rest, tt.sentinel)
		}
		if err != nil {
			sentenceOK(t, tt.in, err)
		}
	}
}

func TestCashChange(t *testing.T) {
	tests := []struct {
		name                  string
		total, given          Money
		wantCounted, wantBack Money
		sentinel              error
	}{
		{"Enter alone: exact", 1250, 0, 1250, 0, nil},
		{"exact", 1250, 1250, 1250, 0, nil},
		{"a note", 1250, 2000, 2000, 750, nil},
		{"the most", 1250, MaxCash, MaxCash, MaxCash - 1250, nil},
		{"one fen short", 1250, 1249, 0, 0, ErrCashShort},
		{"over the limit", 1250, MaxCash + 1, 0, 0, ErrCashTooMuch},
		{"negative", 1250, -100, 0, 0, ErrBadMoney},
	}
	for _, tt := range tests {
		counted, back, err := CashChange(tt.total, tt.given)
		if counted != tt.wantCounted || back != tt.wantBack || !errors.Is(err, tt.sentinel) || (tt.sentinel == nil) != (err == nil) {
			t.Errorf("%s: CashChange(%s, %s) = %s, %s, %v; want %s, %s, %v", tt.name, tt.total, tt.given, counted, back, err, tt.wantCounted, tt.wantBack, tt.sentinel)
		}
		if err != nil {
			sentenceOK(t, tt.name, err)
		}
	}
	if _, _, err := CashChange(1250, 1000); err == nil || !strings.Contains(err.Error(), "¥2.50 more") {
		t.Errorf("short: %v, want it to say how much more", err)
	}
	for in, want := range map[string]Money{"": 0, "  ": 0, "100": 10000, "¥20.5": 2050} {
		if got, err := ParseCashGiven(in); got != want || err != nil {
			t.Errorf("ParseCashGiven(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "12a", "100000000000"} {
		if _, err := ParseCashGiven(in); !errors.Is(err, ErrBadMoney) {
			t.Errorf("ParseCashGiven(%q) = %v, want ErrBadMoney", in, err)
		}
	}
}

func TestBasketAddN(t *testing.T) {
	b := NewBasket(loadSample(t))
	if i, err := b.AddN("6921168509256", 3); err != nil || i != 0 || b.Quantity(0) != 3 {
		t.Fatalf("AddN 3: line %d, %v, quantity %d", i, err, b.Quantity(0))
	}
	if _, err := b.AddN("6921168509256", 2); err != nil || b.Quantity(0) != 5 {
		t.Fatalf("AddN 2 more: %v, quantity %d", err, b.Quantity(0))
	}
	before := b.Lines()
	for _, n := range []int{0, MaxQuantity + 1} {
		if _, err := b.AddN("6921168509256", n); !errors.Is(err, ErrQuantityLimit) {
			t.Errorf("AddN %d: %v, want ErrQuantityLimit", n, err)
		}
	}
	if _, err := b.AddN("6921168509256", MaxQuantity-4); !errors.Is(err, ErrQuantityLimit) {
		t.Errorf("AddN past %d on one line: %v, want ErrQuantityLimit", MaxQuantity, err)
	}
	if _, err := b.AddN("no such thing", 2); !errors.Is(err, ErrUnknownProduct) {
		t.Errorf("AddN unknown: %v", err)
	}
	if got := b.Lines(); len(got) != len(before) || got[0].Quantity != before[0].Quantity {
		t.Errorf("a refused AddN changed the basket: %+v", got)
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	if RoleFrom(ctx) != RoleCashier || RoleFrom(WithRole(ctx, RoleCashier)) != RoleCashier || RoleFrom(WithRole(ctx, "boss")) != RoleCashier {
		t.Error("a context without the manager role is not a cashier's")
	}
	if RoleFrom(WithRole(ctx, RoleManager)) != RoleManager {
		t.Error("the manager role is lost")
	}
	err := needManager(ctx, ErrRefundManagerOnly, "Only a manager can refund.")
	if !errors.Is(err, ErrRefundManagerOnly) || !errors.Is(err, ErrManagerOnly) || errors.Is(err, ErrReportManagerOnly) || err.Error() != "Only a manager can refund." {
		t.Errorf("refused refund: %v", err)
	}
}

func TestManagerPIN(t *testing.T) {
	hash, err := HashPIN("2580")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "2580") || !strings.HasPrefix(hash, "$2a$") {
		t.Fatalf("hash %q", hash)
	}
	if err := CheckPIN(hash, "2580"); err != nil {
		t.Errorf("the right PIN: %v", err)
	}
	for pin, want := range map[string]error{"2581": ErrWrongPIN, "": ErrWrongPIN, "25800": ErrWrongPIN} {
		if err := CheckPIN(hash, pin); !errors.Is(err, want) {
			t.Errorf("CheckPIN(%q) = %v, want %v", pin, err, want)
		}
	}
	if err := CheckPIN("", "2580"); !errors.Is(err, ErrNoPIN) {
		t.Errorf("no hash: %v", err)
	}
	if err := CheckPIN("2580", "2580"); !errors.Is(err, ErrNoPIN) {
		t.Errorf("a PIN in clear as the hash: %v", err)
	}
	for _, pin := range []string{"258", "1234567890123", "25a0", "２５８０", ""} {
		if _, err := HashPIN(pin); !errors.Is(err, ErrBadPIN) {
			t.Errorf("HashPIN(%q) = %v, want ErrBadPIN", pin, err)
		}
	}
}

func TestDayReportCash(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	paid := func(n string, ch payments.Channel, total Money, refunds ...Refund) Order {
		return Order{Number: n, Status: OrderPaid, Total: total, Channel: ch, PaidBy: n + "P01",
			Attempts: []Attempt{{OutTradeNo: n + "P01", Channel: ch, Status: AttemptPaid, Amount: total}}, Refunds: refunds}
	}
	orders := []Order{
		paid("A", payments.Alipay, 500),
		paid("C1", payments.Cash, 1250),
		paid("C2", payments.Cash, 800,
			Refund{RefundNo: "C2R01", OutTradeNo: "C2P01", Amount: 300, Status: payments.RefundSuccess},
			Refund{RefundNo: "C2R02", OutTradeNo: "C2P01", Amount: 100, Status: payments.RefundFailed}),
		{Number: "C3", Status: OrderCancelled, Total: 900, Channel: payments.Cash}, // never paid
	}
	r := BuildDayReport(at, orders)
	if r.CashTaken != (Tally{Count: 2, Total: 2050}) || r.CashRefunded != (Tally{Count: 1, Total: 300}) || r.CashExpected != 1750 {
		t.Errorf("cash: taken %+v refunded %+v expected %s", r.CashTaken, r.CashRefunded, r.CashExpected)
	}
	if r.Paid.Total != 2550 || r.ByChannel[payments.Cash] != (Tally{Count: 2, Total: 2050}) || r.Net != 2250 {
		t.Errorf("the existing figures changed: %+v", r)
	}
}
