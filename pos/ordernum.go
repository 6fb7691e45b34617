package pos

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Order numbers are OrderNumberLen (24) characters of [0-9a-z]:
//
//	20261122143005123  k3f  0001
//	YYYYMMDDhhmmssSSS  node seq
//
// The first 17 digits are the local wall time to the millisecond (so the
// first 8 are the local date, handy for listing a day); node is 3 base36
// characters drawn at random per generator (per process start), so two
// processes or a restart never collide; seq is 4 base36 characters
// counting numbers issued on one time stamp.
//
// Within one generator numbers only grow, so sorting them as strings
// sorts them by creation: when the clock stands still or steps back (NTP,
// a DST fall-back) the generator stays on its last time stamp and counts
// on, and moves the stamp on by a millisecond when seq runs out. Across
// processes, numbers sort by their clocks.
//
// An attempt's out_trade_no adds "P" and two digits (27 characters),
// within Alipay's 64 characters of [0-9A-Za-z_] and WeChat Pay's 6 to 32
// of [0-9A-Za-z_-*|].
const OrderNumberLen = 24

const (
	timeDigits = 17
	nodeLen    = 3
	seqLen     = 4
	nodeMax    = 36 * 36 * 36      // 3 base36 digits
	seqMax     = 36 * 36 * 36 * 36 // 4 base36 digits
	stampForm  = "20060102150405"  // then 3 digits of milliseconds
	maxTradeNo = 32                // WeChat Pay's limit for out_trade_no
)

// OrderNumberGenerator makes order numbers. It is safe for concurrent use.
type OrderNumberGenerator struct {
	clock func() time.Time
	loc   *time.Location
	node  string

	mu   sync.Mutex
	last time.Time // wall time of the last number, ms precision, written as if UTC
	seq  int
}

// NewOrderNumberGenerator returns a generator on clock (time.Now if nil)
// that writes wall times in loc (time.Local if nil), with a random node.
func NewOrderNumberGenerator(clock func() time.Time, loc *time.Location) *OrderNumberGenerator {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	g, _ := NewOrderNumberGeneratorOnNode(clock, loc, pad36(int(binary.BigEndian.Uint64(b[:])%nodeMax), nodeLen))
	return g
}

// NewOrderNumberGeneratorOnNode is NewOrderNumberGenerator with a fixed
// node of 3 characters of [0-9a-z], for tills that share one order book
// and are given distinct nodes, and for tests. Two generators must never
// run on the same node at once.
func NewOrderNumberGeneratorOnNode(clock func() time.Time, loc *time.Location, node string) (*OrderNumberGenerator, error) {
	if len(node) != nodeLen || !base36Lower(node) {
		return nil, fmt.Errorf("new order number generator: node %q must be %d characters of 0-9 and a-z: %w", node, nodeLen, ErrBadOrderNumber)
	}
	if clock == nil {
		clock = time.Now
	}
	if loc == nil {
		loc = time.Local
	}
	return &OrderNumberGenerator{clock: clock, loc: loc, node: node}, nil
}

// Node is the generator's node, characters 18 to 20 of its numbers.
func (g *OrderNumberGenerator) Node() string { return g.node }

// Next returns a new order number, greater than every earlier one of
// this generator.
func (g *OrderNumberGenerator) Next() string {
	now := g.clock().In(g.loc)
	// Compare wall times, not instants: the number shows the wall time,
	// and a DST fall-back repeats an hour of them.
	wall := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second(),
		now.Nanosecond()/1e6*1e6, time.UTC)

	g.mu.Lock()
	if wall.After(g.last) {
		g.last, g.seq = wall, 0
	} else if g.seq++; g.seq >= seqMax {
		g.last, g.seq = g.last.Add(time.Millisecond), 0
	}
	t, seq := g.last, g.seq
	g.mu.Unlock()

	buf := make([]byte, 0, OrderNumberLen)
	buf = t.AppendFormat(buf, stampForm)
	ms := t.Nanosecond() / 1e6
	buf = append(buf, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	buf = append(buf, g.node...)
	buf = append(buf, pad36(seq, seqLen)...)
	return string(buf)
}

func pad36(n, width int) string {
	s := strconv.FormatInt(int64(n), 36)
	return strings.Repeat("0", width-len(s)) + s
}

func base36Lower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// ValidOrderNumber reports whether s has the order number's shape: 24
// characters, a real date and time, then node and seq in [0-9a-z].
func ValidOrderNumber(s string) bool {
	_, ok := OrderNumberTime(s, time.UTC)
	return ok
}

// OrderNumberTime reads the wall time an order number was made at, in
// loc (the generator's location); false if s is not an order number.
func OrderNumberTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != OrderNumberLen || !digits(s[:timeDigits]) || !base36Lower(s[timeDigits:]) {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.Local
	}
	t, err := time.ParseInLocation(stampForm, s[:14], loc)
	if err != nil || t.Format(stampForm) != s[:14] { // refuse 24:00:00 and friends
		return time.Time{}, false
	}
	return t.Add(time.Duration(atoi(s[14:timeDigits])) * time.Millisecond), true
}

// AttemptOutTradeNo is the merchant trade number of an order's n-th
// payment attempt (n from 1): the order number, "P", and n in at least
// two digits ("…P01"). Up to attempt 99 that is 27 characters of [0-9a-zP];
// it stays within WeChat Pay's 32 up to attempt 9,999,999.
func AttemptOutTradeNo(orderNumber string, n int) string {
	return fmt.Sprintf("%sP%02d", orderNumber, n)
}

// ParseAttemptOutTradeNo splits an attempt's out_trade_no into its order
// number and attempt index; it accepts exactly what AttemptOutTradeNo
// writes for a valid order number and n ≥ 1.
func ParseAttemptOutTradeNo(s string) (orderNumber string, n int, ok bool) {
	if len(s) < OrderNumberLen+3 || len(s) > maxTradeNo || s[OrderNumberLen] != 'P' {
		return "", 0, false
	}
	num, idx := s[:OrderNumberLen], s[OrderNumberLen+1:]
	if !digits(idx) || !ValidOrderNumber(num) {
		return "", 0, false
	}
	n = int(atoi(idx))
	if n < 1 || fmt.Sprintf("%02d", n) != idx {
		return "", 0, false
	}
	return num, n, true
}
