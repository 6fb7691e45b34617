package printer

import (
	"strings"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// Width is a paper roll's width in millimetres.
type Width int

// The two roll widths of receipt printers.
const (
	Paper58 Width = 58
	Paper80 Width = 80
)

// Columns is how many cells of the printer's standard 12×24 font fit on
// a line: 32 on 58 mm paper (384 dots), 48 on 80 mm (576 dots).
func (w Width) Columns() int {
	if w == Paper58 {
		return 32
	}
	return 48
}

// ParseWidth checks a `[printer] width` setting.
func ParseWidth(mm int) (Width, error) {
	switch Width(mm) {
	case Paper58, Paper80:
		return Width(mm), nil
	}
	return 0, sentencef(ErrBadWidth, "[printer] width %d is not a paper width; use 58 or 80", mm)
}

// Document is something the printer prints: a receipt, a refund slip, a
// Z report.
type Document interface {
	// Render lays the document out for paper of width w.
	Render(w Width) ([]byte, error)
	// Name says what the document is, for the cashier: "receipt No. 12".
	Name(l Lang) string
	// Again is what to print when the cashier asks for the document again
	// after it printed: a copy, marked as one, that opens no drawer.
	Again() Document
}

// page is a document being laid out: a Writer plus the line width and
// the language.
type page struct {
	*Writer
	cols int
	lang Lang
}

func newPage(w Width, l Lang) *page {
	return &page{Writer: NewWriter(), cols: w.Columns(), lang: l}
}

// rule prints a line of dashes.
func (p *page) rule() { p.Line(strings.Repeat("-", p.cols)) }

// pair prints a label at the start and a value at the end of a line (two
// lines when they do not fit together).
func (p *page) pair(label, value string) { p.Lines(Spread(label, value, p.cols)) }

// big prints one centred line magnified w×h, shrinking the width
// magnification until the text fits the line.
func (p *page) big(s string, w, h int) {
	for w > 1 && Cells(s)*w > p.cols {
		w--
	}
	p.Align(AlignCenter)
	p.Size(w, h)
	p.Lines(Wrap(s, p.cols/w))
	p.Size(1, 1)
}

// centered prints text centred, wrapped to the line.
func (p *page) centered(s string) {
	p.Align(AlignCenter)
	p.Lines(Wrap(s, p.cols))
}

// heading starts a document: the shop's name, emphasised and double
// height, then the document's own title if it has one.
func (p *page) heading(shop, title string) {
	p.Bold(true)
	if shop != "" {
		p.big(shop, 1, 2)
	}
	if title != "" {
		p.big(title, 2, 2)
	}
	p.Bold(false)
	p.Align(AlignLeft)
}

// open starts a receipt or slip: the drawer pulse first (so the drawer
// opens while the paper prints), the heading, and "COPY" on a reprint.
func (p *page) open(drawer bool, shop, title string, isCopy bool) {
	if drawer {
		p.DrawerPulse()
	}
	p.heading(shop, title)
	if isCopy {
		p.centered(p.lang.word("copy"))
		p.Align(AlignLeft)
	}
}

// emphasis prints the amount that matters, bold and double height.
func (p *page) emphasis(label, value string) {
	p.Bold(true)
	p.Size(1, 2)
	p.pair(label, value)
	p.Size(1, 1)
	p.Bold(false)
}

// end feeds a line and cuts.
func (p *page) end() ([]byte, error) {
	p.Align(AlignLeft)
	p.Feed(1)
	p.Cut()
	return p.Bytes()
}

// money formats an amount for paper: "12.50". The yuan sign is left to
// the labels: "¥" (U+00A5) is not in the printers' GBK font.
func money(m pos.Money) string { return m.Yuan() }

// yuan formats a total: "￥12.50", with the full-width sign GB2312 has.
func yuan(m pos.Money) string {
	if m < 0 {
		return "-￥" + (-m).Yuan()
	}
	return "￥" + m.Yuan()
}

// channelName names a payment channel in the language.
func (l Lang) channelName(ch payments.Channel) string {
	if _, ok := vocabulary["ch."+string(ch)]; !ok {
		return orDash(string(ch))
	}
	return l.word("ch." + string(ch))
}

// stamp formats a time on paper ("-" for none).
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04:05")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
