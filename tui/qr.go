package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	qrcode "github.com/skip2/go-qrcode"
)

// renderQR draws content with half-block characters (two modules per
// character row), as go-qrcode's ToSmallString does, so it survives copy
// and tmux capture. inverse swaps ink for light terminals. It returns the
// drawing and its size in cells.
func renderQR(content string, inverse bool) (string, int, int, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", 0, 0, err
	}
	s := strings.TrimRight(q.ToSmallString(inverse), "\n")
	lines := strings.Split(s, "\n")
	w := 0
	for _, l := range lines {
		if n := lipgloss.Width(l); n > w {
			w = n
		}
	}
	return s, w, len(lines), nil
}
