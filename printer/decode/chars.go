package decode

import (
	"fmt"
)

// char reads one character: a byte of ASCII, or in Chinese mode a two-
// or four-byte GB18030 character (lead byte 0x81–0xFE; a second byte
// 0x30–0x39 means four bytes).
func (d *Decoder) char(p []byte) (int, error) {
	size, cells := 1, 1
	switch {
	case p[0] < 0x80:
	case !d.style.chinese:
		return 0, fmt.Errorf("byte %#02x outside Chinese mode: %w", p[0], ErrBadStream)
	case p[0] == 0x80 || p[0] == 0xFF:
		return 0, fmt.Errorf("byte %#02x is no GB18030 lead byte: %w", p[0], ErrBadStream)
	default:
		if !need(p, 2) {
			return 0, nil
		}
		size, cells = 2, 2
		if p[1] >= 0x30 && p[1] <= 0x39 {
			size = 4
		}
		if !need(p, size) {
			return 0, nil
		}
	}
	cells *= d.style.w
	if d.midLine() && d.line.Cells()+cells > d.cols {
		if err := d.flush(); err != nil { // the printer wraps here
			return 0, err
		}
		d.line.Wrapped = true
	}
	d.startLine()
	d.raw = append(d.raw, p[:size]...)
	d.span().Cells += cells
	return size, nil
}

// startLine fixes the line's justification when its first character
// arrives.
func (d *Decoder) startLine() {
	if !d.midLine() {
		d.line.Align = d.style.align
	}
}

// midLine reports whether characters wait in the print buffer.
func (d *Decoder) midLine() bool { return len(d.line.Spans) > 0 }

// span is the span being filled, opened in the current style if needed.
func (d *Decoder) span() *Span {
	if !d.open {
		d.line.Spans = append(d.line.Spans, Span{Bold: d.style.bold, Width: d.style.w, Height: d.style.h})
		d.open = true
	}
	return &d.line.Spans[len(d.line.Spans)-1]
}

// closeSpan decodes the bytes of the open span.
func (d *Decoder) closeSpan() error {
	if !d.open {
		return nil
	}
	d.open = false
	text, err := decodeGB18030(d.raw)
	if err != nil {
		return err
	}
	d.line.Spans[len(d.line.Spans)-1].Text = text
	d.raw = nil
	return nil
}

// restyle changes the mode; characters after it start a new span.
func (d *Decoder) restyle(change func(*style)) error {
	change(&d.style)
	return d.closeSpan()
}

// flush prints the buffer and feeds one line.
func (d *Decoder) flush() error {
	if err := d.closeSpan(); err != nil {
		return err
	}
	d.doc.Lines = append(d.doc.Lines, Line{Kind: Text, Align: d.line.Align, Spans: d.line.Spans, Wrapped: d.line.Wrapped})
	d.line = Line{}
	return nil
}

// feed is ESC d n: print the buffer and feed n lines.
func (d *Decoder) feed(n int) error {
	if d.midLine() {
		if err := d.flush(); err != nil {
			return err
		}
		n--
	}
	for range n {
		d.doc.Lines = append(d.doc.Lines, Line{Kind: Text, Align: d.style.align})
	}
	return nil
}
