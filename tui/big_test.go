package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// Big text is bigRows rows of one width, 6 cells a digit; the 8 lights
// both halves of its middle row's bar.
func TestBigText(t *testing.T) {
	got := bigText("¥18.50")
	rows := strings.Split(got, "\n")
	if len(rows) != bigRows {
		t.Fatalf("%d rows:\n%s", len(rows), got)
	}
	want := lipgloss.Width(rows[0])
	for i, r := range rows {
		if lipgloss.Width(r) != want {
			t.Errorf("row %d is %d cells, row 0 %d", i, lipgloss.Width(r), want)
		}
	}
	// ¥ 1 8 . 5 0: five 6-cell glyphs, one 2-cell dot, five 2-cell gaps.
	if want != 5*6+2+5*2 {
		t.Errorf("width %d:\n%s", want, got)
	}
	eight := bigText("8")
	if strings.Split(eight, "\n")[1] != "██▀▀██" {
		t.Errorf("8's middle row %q", strings.Split(eight, "\n")[1])
	}
}
