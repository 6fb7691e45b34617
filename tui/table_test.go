package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// Columns line up in cells: a Chinese header and an English one put
// their columns at the same cell positions, whatever the runes count.
func TestTableRowsAlignInCells(t *testing.T) {
	cols := flexColumns(60, 10, []column{{width: -1}, {width: 5, right: true}, {width: 10, right: true}})
	rows := []string{
		tableRow(cols, "商品", "数量", "单价"),
		tableRow(cols, "Item", "Qty", "Price"),
		tableRow(cols, "农夫山泉 饮用天然水 550ml 家庭装超大瓶二十四瓶整箱", "12", "¥2.00"),
	}
	for _, r := range rows {
		if w := lipgloss.Width(r); w != 60 {
			t.Errorf("%q is %d cells, want 60", r, w)
		}
	}
	// The price column ends at cell 60 in every row; the quantity at 48.
	for _, r := range rows {
		cells := []rune{}
		for _, c := range r {
			cells = append(cells, c)
			if lipgloss.Width(string(c)) == 2 {
				cells = append(cells, 0)
			}
		}
		if cells[47] == ' ' || cells[59] == ' ' {
			t.Errorf("%q: columns do not end at cells 48 and 60", r)
		}
	}
	if !strings.Contains(rows[2], "…") {
		t.Errorf("a long name is not cut with …: %q", rows[2])
	}
	if got := fitCell("20261122103000000abc0001", column{width: 10, keepEnd: true}); got != "…00abc0001" || lipgloss.Width(got) != 10 {
		t.Errorf("keepEnd: %q", got)
	}
}
