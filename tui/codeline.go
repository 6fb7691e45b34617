package tui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// defaultLoneKeyWindow is how soon another key must follow a digit for
// the two to be one scanner burst. A barcode scanner types a whole code
// in a few milliseconds; a person pressing 1 alone leaves it alone for
// far longer.
const defaultLoneKeyWindow = 150 * time.Millisecond

// codeLine gathers the digits typed on the pay screen, where 1, 2 and 3
// choose how to pay only when pressed alone, and a scanner's burst of
// digits ending in Enter is the customer's payment code. A digit starts
// the line and a check after the lone-key window: if nothing followed,
// the digit was pressed alone; if more came, the line is a scan, read on
// Enter.
type codeLine struct {
	digits []rune
	seq    uint64 // one more with every key, so a check for an earlier key is stale
}

// loneKeyMsg asks, after the lone-key window, whether key seq stayed
// alone.
type loneKeyMsg struct{ seq uint64 }

// add takes typed digits. The first digit of an empty line, typed on its
// own, starts the lone-key check.
func (l *codeLine) add(runes []rune, window time.Duration) tea.Cmd {
	l.seq++
	first := len(l.digits) == 0 && len(runes) == 1
	l.digits = append(l.digits, runes...)
	if !first {
		return nil
	}
	if window <= 0 {
		window = defaultLoneKeyWindow
	}
	seq := l.seq
	return tea.Tick(window, func(time.Time) tea.Msg { return loneKeyMsg{seq} })
}

// lone reports the digit pressed alone that msg checks, and clears the
// line; ok is false when more keys followed it.
func (l *codeLine) lone(msg loneKeyMsg) (digit rune, ok bool) {
	if msg.seq != l.seq || len(l.digits) != 1 {
		return 0, false
	}
	digit = l.digits[0]
	l.clear()
	return digit, true
}

// take returns what was typed and clears the line.
func (l *codeLine) take() string {
	s := string(l.digits)
	l.clear()
	return s
}

// backspace takes the last digit back.
func (l *codeLine) backspace() {
	if n := len(l.digits); n > 0 {
		l.digits = l.digits[:n-1]
		l.seq++
	}
}

func (l *codeLine) clear() {
	l.digits = nil
	l.seq++
}

// empty reports whether nothing is typed.
func (l *codeLine) empty() bool { return len(l.digits) == 0 }

// masked shows the line with all but its last four digits hidden: a
// payment code is good for one payment, but is nobody else's business.
func (l *codeLine) masked() string {
	n := len(l.digits)
	if n <= 4 {
		return string(l.digits)
	}
	return strings.Repeat("•", n-4) + string(l.digits[n-4:])
}

// allDigits reports whether every rune is a digit 0–9.
func allDigits(rs []rune) bool {
	for _, r := range rs {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(rs) > 0
}
