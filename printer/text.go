package printer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// EncodeText turns text into the bytes a printer in Chinese mode prints:
// GB18030, with control characters (which would be read as commands: a
// product named "\x1bp…" must not open the drawer) replaced by spaces.
func EncodeText(s string) ([]byte, error) {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(Printable(s)))
	if err != nil {
		return nil, fmt.Errorf("encode %q in GB18030: %w", s, err)
	}
	return b, nil
}

// Printable replaces control characters and invalid UTF-8 so that text
// can never carry a command to the printer.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unprintable) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s { // ranging replaces invalid bytes by U+FFFD
		if unprintable(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unprintable(r rune) bool { return unicode.IsControl(r) }

// Cells is how many print cells s takes at normal size on a printer in
// Chinese mode: one for a one-byte (ASCII) character, two for every
// other character, which GB18030 encodes in two or four bytes and the
// printer draws in its full-width Hanzi font. That is the printer's
// rule, not a terminal's: "·" and "é" are one cell on most terminals but
// two on paper.
func Cells(s string) int {
	n := 0
	for _, r := range Printable(s) {
		n += runeCells(r)
	}
	return n
}

func runeCells(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 2
}

// Wrap breaks s into lines of at most width cells: between words where
// it can, inside a word (or between Chinese characters) where it must.
// It always returns at least one line.
func Wrap(s string, width int) []string {
	width = max(width, 2) // a two-cell character must fit
	var lines []string
	line, cells := "", 0
	for _, word := range breakable(Printable(s)) {
		w := Cells(word)
		if word == " " {
			if cells > 0 && cells < width {
				line, cells = line+" ", cells+1
			}
			continue
		}
		if cells+w > width && cells > 0 {
			lines = append(lines, strings.TrimRight(line, " "))
			line, cells = "", 0
		}
		for w > width { // a word longer than a line: cut it
			head, rest := cut(word, width)
			lines = append(lines, head)
			word, w = rest, Cells(rest)
		}
		line, cells = line+word, cells+w
	}
	return append(lines, strings.TrimRight(line, " "))
}

// breakable splits text into runs of non-space one-cell characters, single
// spaces, and single wide characters (each a place to break).
func breakable(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		switch {
		case r == ' ' || runeCells(r) == 2:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, string(r))
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// cut splits s after at most width cells.
func cut(s string, width int) (head, rest string) {
	n := 0
	for i, r := range s {
		if n+runeCells(r) > width {
			return s[:i], s[i:]
		}
		n += runeCells(r)
	}
	return s, ""
}

// PadRight pads s with spaces to width cells.
func PadRight(s string, width int) string {
	return s + strings.Repeat(" ", max(width-Cells(s), 0))
}

// PadLeft right-aligns s in width cells.
func PadLeft(s string, width int) string {
	return strings.Repeat(" ", max(width-Cells(s), 0)) + s
}

// Spread puts left at the start and right at the end of a line of width
// cells. When both do not fit with a space between, it returns two lines:
// left, then right aligned to the end.
func Spread(left, right string, width int) []string {
	gap := width - Cells(left) - Cells(right)
	if gap < 1 {
		return append(Wrap(left, width), PadLeft(right, width))
	}
	return []string{left + strings.Repeat(" ", gap) + right}
}
