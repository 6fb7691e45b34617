package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// column is one column of a table laid out in terminal cells: a width,
// an alignment, and which end keeps its text when cut (an order number
// keeps its end, where it differs from its neighbours).
type column struct {
	width   int
	right   bool // align right (amounts, counts)
	keepEnd bool // cut from the start: "…0abc0001"
}

// colGap is the space between columns.
const colGap = "  "

// tableRow lays cells out in columns, each fitted to its width in cells
// (CJK two each), cut with … where too long.
func tableRow(cols []column, cells ...string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		s := ""
		if i < len(cells) {
			s = cells[i]
		}
		parts[i] = fitCell(s, c)
	}
	return strings.TrimRight(strings.Join(parts, colGap), " ")
}

// fitCell cuts or pads s to the column's width in cells.
func fitCell(s string, c column) string {
	if c.width <= 0 {
		return ""
	}
	if w := lipgloss.Width(s); w > c.width {
		if c.keepEnd {
			s = "…" + ansi.TruncateLeft(s, w-c.width+1, "")
		} else {
			s = ansi.Truncate(s, c.width, "…")
		}
	}
	pad := strings.Repeat(" ", max(c.width-lipgloss.Width(s), 0))
	if c.right {
		return pad + s
	}
	return s + pad
}

// flexColumns gives the first flexible column (width < 0) whatever width
// the fixed ones and the gaps leave of total, at least least cells.
func flexColumns(total, least int, cols []column) []column {
	out := append([]column(nil), cols...)
	fixed := 0
	for _, c := range out {
		if c.width > 0 {
			fixed += c.width
		}
	}
	fixed += len(colGap) * (len(out) - 1)
	for i := range out {
		if out[i].width < 0 {
			out[i].width = max(total-fixed, least)
			break
		}
	}
	return out
}
