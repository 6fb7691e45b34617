package pos

import (
	"fmt"
	"math"
	"strings"
)

// Money is an amount in fen (1/100 yuan). Never a float.
type Money int64

// MaxMoney is the largest amount ParseMoney accepts: ¥100,000,000.00,
// Alipay's own upper bound for one trade.
const MaxMoney Money = 100_000_000_00

// ParseMoney reads a yuan amount as a cashier or a catalog writes it:
// "12", "12.5", "12.50", "¥12.50", "￥12.50", "12.50元", with spaces
// around. It refuses negative amounts, more than two decimals and
// anything above MaxMoney.
func ParseMoney(s string) (Money, error) {
	in := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.TrimSuffix(s, "元")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: %q is empty; write an amount like 12.50", ErrBadMoney, in)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		if strings.HasPrefix(s, "-") {
			return 0, fmt.Errorf("%w: %q is negative; amounts are 0 or more", ErrBadMoney, in)
		}
		return 0, fmt.Errorf("%w: %q is not an amount; write it like 12.50", ErrBadMoney, in)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%w: %q has more than two decimals; write it like 12.35", ErrBadMoney, in)
	}
	if len(whole) > 12 {
		return 0, fmt.Errorf("%w: %q is too large; the most is %s", ErrBadMoney, in, MaxMoney)
	}
	var fen int64
	for _, c := range whole {
		fen = fen*10 + int64(c-'0')
	}
	fen *= 100
	switch len(frac) {
	case 1:
		fen += int64(frac[0]-'0') * 10
	case 2:
		fen += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if Money(fen) > MaxMoney {
		return 0, fmt.Errorf("%w: %q is too large; the most is %s", ErrBadMoney, in, MaxMoney)
	}
	return Money(fen), nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Fen returns the amount in fen.
func (m Money) Fen() int64 { return int64(m) }

// Yuan formats the amount as Alipay wants it: "12.50".
func (m Money) Yuan() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		if v == math.MinInt64 {
			return "-92233720368547758.08"
		}
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// String formats the amount for people: "¥12.50", "-¥1.00".
func (m Money) String() string {
	y := m.Yuan()
	if strings.HasPrefix(y, "-") {
		return "-¥" + y[1:]
	}
	return "¥" + y
}

// Mul multiplies by a quantity, refusing an overflow.
func (m Money) Mul(qty int) (Money, error) {
	if qty < 0 {
		return 0, fmt.Errorf("multiply %s by %d: negative quantity", m, qty)
	}
	if qty != 0 && int64(m) > math.MaxInt64/int64(qty) {
		return 0, fmt.Errorf("multiply %s by %d: %w", m, qty, ErrTotalLimit)
	}
	return m * Money(qty), nil
}
