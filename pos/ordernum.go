package pos

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Order numbers are 24 characters of [0-9a-z]:
//
//	20261122143005123  k3f  0001
//	local wall time    node seq
//	YYYYMMDDhhmmssSSS  (base36, random per generator) (base36)
//
// They sort in creation order (the time is kept monotonic by the
// generator), start with the local date, are unique across processes and
// restarts (the node is random; the time part only moves forward), and
// leave room for an attempt suffix within WeChat's 32 characters.
const (
	orderNumberLen = 24
	timeDigits     = 17
	seqMax         = 36 * 36 * 36 * 36 // 4 base36 digits
)

// OrderNumberGenerator makes order numbers. It is safe for concurrent use.
type OrderNumberGenerator struct {
	clock func() time.Time
	loc   *time.Location
	node  string

	mu   sync.Mutex
	last time.Time // the time part of the last number, ms precision
	seq  int
}

// NewOrderNumberGenerator returns a generator on clock (time.Now if nil)
// that writes wall times in loc (time.Local if nil).
func NewOrderNumberGenerator(clock func() time.Time, loc *time.Location) *OrderNumberGenerator {
	if clock == nil {
		clock = time.Now
	}
	if loc == nil {
		loc = time.Local
	}
	var b [2]byte
	_, _ = rand.Read(b[:])
	n := (int(b[0])<<8 | int(b[1])) % (36 * 36 * 36)
	return &OrderNumberGenerator{clock: clock, loc: loc, node: pad36(n, 3)}
}

// Next returns a new order number, greater than every earlier one of
// this generator.
func (g *OrderNumberGenerator) Next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock().In(g.loc).Truncate(time.Millisecond)
	switch {
	case now.After(g.last):
		g.last, g.seq = now, 0
	default: // same millisecond, or the clock stepped back: stay on last
		g.seq++
		if g.seq >= seqMax {
			g.last, g.seq = g.last.Add(time.Millisecond), 0
		}
	}
	t := g.last
	return fmt.Sprintf("%s%03d%s%s", t.Format("20060102150405"), t.Nanosecond()/int(time.Millisecond), g.node, pad36(g.seq, 4))
}

func pad36(n, width int) string {
	s := strconv.FormatInt(int64(n), 36)
	return strings.Repeat("0", width-len(s)) + s
}

// ValidOrderNumber reports whether s has the order number's shape.
func ValidOrderNumber(s string) bool {
	if len(s) != orderNumberLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		digit := c >= '0' && c <= '9'
		if i < timeDigits && !digit || i >= timeDigits && !digit && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// AttemptOutTradeNo is the merchant trade number of an order's n-th
// payment attempt (n from 1): the order number, "P", two digits. At 27
// characters of [0-9a-zP] it suits Alipay (≤ 64) and WeChat (6–32).
func AttemptOutTradeNo(orderNumber string, n int) string {
	return fmt.Sprintf("%sP%02d", orderNumber, n)
}

// ParseAttemptOutTradeNo splits an attempt's out_trade_no into its order
// number and attempt index.
func ParseAttemptOutTradeNo(s string) (orderNumber string, n int, ok bool) {
	if len(s) != orderNumberLen+3 || s[orderNumberLen] != 'P' {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[orderNumberLen+1:])
	if err != nil || n < 1 || !ValidOrderNumber(s[:orderNumberLen]) {
		return "", 0, false
	}
	return s[:orderNumberLen], n, true
}
