package decode

import (
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"qrtill/printer"
)

// Render draws the document as text, as it would come out of the paper
// slot: each line justified in the paper's cells, magnified characters
// widened (a double-width "7" becomes the full-width "７"), QR codes drawn
// with half blocks (light on dark, as `cat` shows them on a dark
// terminal), and a mark where the drawer opened and the paper was cut.
func (d Doc) Render() string {
	var b strings.Builder
	for _, l := range d.Lines {
		switch l.Kind {
		case Text:
			b.WriteString(strings.TrimRight(d.justify(l.Align, renderSpans(l.Spans), l.Cells()), " "))
			b.WriteByte('\n')
		case QR:
			d.renderQR(&b, l)
		case Cut:
			b.WriteString(strings.Repeat("✂ ", d.Cols/2) + "\n")
		case Pulse:
			b.WriteString("[cash drawer opened]\n")
		}
	}
	return b.String()
}

// justify pads text of the given cells to its place on the line.
func (d Doc) justify(a printer.Alignment, text string, cells int) string {
	switch a {
	case printer.AlignCenter:
		return strings.Repeat(" ", max(d.Cols-cells, 0)/2) + text
	case printer.AlignRight:
		return strings.Repeat(" ", max(d.Cols-cells, 0)) + text
	}
	return text
}

// renderSpans writes spans with their width magnification.
func renderSpans(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		for _, r := range s.Text {
			b.WriteString(magnify(r, s.Width))
		}
	}
	return b.String()
}

// magnify draws one character w times as wide: its full-width form where
// it has one, then spaces to fill its cells.
func magnify(r rune, w int) string {
	cells := 1
	if r >= utf8.RuneSelf {
		cells = 2
	}
	if w <= 1 {
		return string(r)
	}
	drawn, used := string(r), cells
	if r > ' ' && r < 0x7F {
		drawn, used = string(r+0xFEE0), 2 // "7" → "７"
	}
	return drawn + strings.Repeat(" ", cells*w-used)
}

// renderQR draws a QR code of the line's payload, justified as printed.
func (d Doc) renderQR(b *strings.Builder, l Line) {
	code, err := qrcode.New(l.QR, qrcode.Medium)
	if err != nil {
		b.WriteString("[QR " + l.QR + "]\n")
		return
	}
	for _, row := range strings.Split(strings.TrimRight(code.ToSmallString(false), "\n"), "\n") {
		b.WriteString(d.justify(l.Align, row, utf8.RuneCountInString(row)) + "\n")
	}
}
