package pos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in fen (1/100 yuan). Never a float.
type Money int64

// MaxMoney is the largest amount ParseMoney accepts: ¥100,000,000.00,
// Alipay's own upper bound for one trade.
const MaxMoney Money = 100_000_000_00

// maxWholeDigits is how many yuan digits MaxMoney has; a longer whole
// part is too large before any arithmetic, so parsing never overflows.
const maxWholeDigits = 9

// ParseMoney reads a yuan amount as a cashier or a catalog writes it:
// "12", "12.5", "12.50", "¥12.50", "￥12.50", "12.50元", with spaces
// around, and with full-width digits ("１２．５０") as a Chinese input
// method types them. It refuses negative amounts (a refund is its own
// operation, never a negative price), more than two decimals, thousands
// separators, and anything above MaxMoney. Its errors match ErrBadMoney
// and read as one sentence naming the input and the fix.
func ParseMoney(s string) (Money, error) {
	in := s
	s = strings.Map(halfWidth, s)
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.TrimSuffix(s, "元")
	s = strings.TrimSpace(s)
	bad := func(format string, args ...any) error {
		return &sentenceError{kind: ErrBadMoney, msg: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		if strings.TrimSpace(in) == "" {
			return 0, bad("the amount is empty; write it like 12.50")
		}
		return 0, bad("%q has no digits; write an amount like 12.50", in)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if !digits(whole) || hasDot && !digits(frac) {
		switch {
		case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−"):
			return 0, bad("%q is negative; an amount is 0 or more", in)
		case strings.Contains(s, ","):
			return 0, bad("%q has a thousands separator; write it without, like 1000.00", in)
		}
		return 0, bad("%q is not an amount; write it like 12.50", in)
	}
	if w := strings.TrimLeft(whole, "0"); len(w) > maxWholeDigits {
		return 0, bad("%q is more than %s, the most one amount can be", in, MaxMoney)
	}
	fen := atoi(whole)*100 + atoi((frac + "00")[:2])
	if len(frac) > 2 {
		if frac[2] >= '5' {
			fen++
		}
		return 0, bad("%q has more than two decimals; write it like %s", in, Money(fen).Yuan())
	}
	if Money(fen) > MaxMoney {
		return 0, bad("%q is more than %s, the most one amount can be", in, MaxMoney)
	}
	return Money(fen), nil
}

// halfWidth maps the full-width forms a Chinese input method types
// ("１２．５", "ｎｆｓｑ") to ASCII, and 。 to a decimal point.
func halfWidth(r rune) rune {
	switch {
	case r >= '\uff01' && r <= '\uff5e': // full-width ! to ~
		return r - 0xfee0
	case r == '。':
		return '.'
	case r == '\u3000': // ideographic space
		return ' '
	}
	return r
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi reads ASCII digits the caller has checked and kept short.
func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

// Fen returns the amount in fen.
func (m Money) Fen() int64 { return int64(m) }

// Yuan formats the amount as Alipay wants it: "12.50" (negative "-1.00").
func (m Money) Yuan() string {
	v, sign := uint64(m), ""
	if m < 0 {
		v, sign = uint64(-(m+1))+1, "-" // safe for math.MinInt64
	}
	frac := strconv.FormatUint(v%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatUint(v/100, 10) + "." + frac
}

// String formats the amount for people: "¥12.50", "-¥1.00".
func (m Money) String() string {
	if m < 0 {
		return "-¥" + m.Yuan()[1:]
	}
	return "¥" + m.Yuan()
}

// Mul multiplies by a quantity, refusing a negative quantity
// (ErrQuantityLimit) and an int64 overflow (ErrTotalLimit).
func (m Money) Mul(qty int) (Money, error) {
	if qty < 0 {
		return 0, fmt.Errorf("multiply %s by %d: %w", m, qty, ErrQuantityLimit)
	}
	if qty != 0 && (int64(m) > math.MaxInt64/int64(qty) || int64(m) < math.MinInt64/int64(qty)) {
		return 0, fmt.Errorf("multiply %s by %d: %w", m, qty, ErrTotalLimit)
	}
	return m * Money(qty), nil
}
