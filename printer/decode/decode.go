// Package decode reads an ESC/POS stream back the way a printer in
// Chinese mode would print it: lines of text (GB18030 decoded, justified
// in cells, wrapped where the printer wraps), QR codes with their
// payload, paper cuts and cash drawer pulses. Tests use it to check what
// the printer package sends; the printer simulator uses it to render
// each job.
//
// It measures cells the printer's way, from the bytes: a one-byte
// character is one cell and a multi-byte GB18030 character two, times
// the width magnification. It knows only the commands the printer
// package sends and refuses any other, so a stray byte is a failed test
// rather than a garbled receipt.
package decode

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"qrtill/printer"
)

// ErrBadStream: the stream has a command the decoder does not know, or
// ends inside one.
var ErrBadStream = errors.New("bad ESC/POS stream")

// Kind is what one printed line is.
type Kind int

// The kinds of printed lines.
const (
	Text  Kind = iota // a line of characters (possibly empty: a feed)
	QR                // a QR code
	Cut               // the paper was cut here
	Pulse             // the cash drawer was opened here
)

// Line is one thing the printer put on paper, in order.
type Line struct {
	Kind  Kind
	Align printer.Alignment
	Spans []Span // Text
	// Wrapped: the printer wrapped the previous line onto this one
	// because it was longer than the paper.
	Wrapped bool
	QR      string // QR: the payload
	Modules int    // QR: dots per module
}

// Span is a run of characters printed in one style.
type Span struct {
	Text          string
	Bold          bool
	Width, Height int // magnification
	Cells         int // cells taken on paper, magnification included
}

// Text is the line's characters, without styles.
func (l Line) Text() string {
	var b strings.Builder
	for _, s := range l.Spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Cells is how many cells the line takes on paper.
func (l Line) Cells() int {
	n := 0
	for _, s := range l.Spans {
		n += s.Cells
	}
	return n
}

// Doc is what one stream printed.
type Doc struct {
	Cols  int
	Lines []Line
	// Ignored lists commands a printer ignores where they were sent (ESC a
	// or GS V in the middle of a line, a QR print with nothing stored).
	Ignored []string
	// Status lists the DLE EOT requests in the stream, in order.
	Status []byte
}

// Count is how many lines of a kind the document has.
func (d Doc) Count(k Kind) int {
	n := 0
	for _, l := range d.Lines {
		if l.Kind == k {
			n++
		}
	}
	return n
}

// QRs lists the payloads of the document's QR codes.
func (d Doc) QRs() []string {
	var out []string
	for _, l := range d.Lines {
		if l.Kind == QR {
			out = append(out, l.QR)
		}
	}
	return out
}

// Texts lists the text of every text line.
func (d Doc) Texts() []string {
	var out []string
	for _, l := range d.Lines {
		if l.Kind == Text {
			out = append(out, l.Text())
		}
	}
	return out
}

// Printed reports whether the stream put anything on paper or opened the
// drawer (a status query alone does not).
func (d Doc) Printed() bool { return len(d.Lines) > 0 }

// Decode reads a whole stream for paper of cols cells.
func Decode(stream []byte, cols int) (Doc, error) {
	d := NewDecoder(cols)
	if _, err := d.Write(stream); err != nil {
		return d.doc, err
	}
	return d.Close()
}

// decodeGB18030 turns the bytes of a span into text.
func decodeGB18030(b []byte) (string, error) {
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("decode GB18030 % x: %w", b, ErrBadStream)
	}
	return string(s), nil
}

var _ io.Writer = (*Decoder)(nil)
