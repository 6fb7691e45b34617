package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"qrtill/pos"
)

// statusWord is an order's final status as the reconcile screen words it.
func statusWord(lang Lang, st pos.OrderStatus) string {
	switch st {
	case pos.OrderPaid:
		return T(lang, "st.paid")
	case pos.OrderCancelled:
		return T(lang, "st.cancelled")
	case pos.OrderExpired:
		return T(lang, "st.expired")
	}
	return orderStatusText(lang, st)
}

// orderStatusText is an order status as the order book words it.
func orderStatusText(lang Lang, st pos.OrderStatus) string {
	return T(lang, "os."+string(st))
}

// refundStateText is a refund's state in words.
func refundStateText(lang Lang, r pos.Refund) string {
	return T(lang, "rs."+string(r.Status))
}

// eventText words an event by its kind, in the session's language; the
// event's own detail (English, for the log) shows only for a kind that
// has no label.
func eventText(lang Lang, e pos.Event) string {
	if label, ok := eventWords[e.Kind]; ok {
		if lang == Chinese {
			return label[1]
		}
		return label[0]
	}
	return e.Detail
}

// lineName is a basket or order line's name in a language.
func lineName(lang Lang, l pos.Line) string {
	if lang == Chinese {
		return l.NameZH
	}
	return l.NameEN
}

// clock words a duration as m:ss; negative counts as zero.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// truncate cuts s to n cells, ending in … when cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s // no character is wider in cells than in bytes
	}
	return ansi.Truncate(s, n, "…")
}

// padRight pads or cuts s to w cells (CJK counts two).
func padRight(s string, w int) string {
	s = ansi.Truncate(s, w, "")
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// orDash is the first non-empty string, or "-".
func orDash(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return "-"
}
