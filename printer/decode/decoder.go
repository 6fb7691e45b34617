package decode

import (
	"fmt"

	"qrtill/printer"
)

// Decoder reads a stream as it arrives (it is an io.Writer), as a
// printer does: commands split across writes are joined.
type Decoder struct {
	// OnStatus, when set, is called for each DLE EOT n as it is read, so
	// a simulated printer can answer at once, as a real one does.
	OnStatus func(n byte)

	cols    int
	pending []byte
	style   style
	line    Line   // the line being filled
	raw     []byte // bytes of the open span, not yet decoded
	open    bool   // the last span still takes characters
	qrData  string
	qrDots  int
	doc     Doc
	err     error
}

// style is the printer's current mode.
type style struct {
	chinese bool
	align   printer.Alignment
	bold    bool
	w, h    int
}

var defaultStyle = style{w: 1, h: 1}

// NewDecoder reads a stream for paper of cols cells.
func NewDecoder(cols int) *Decoder {
	return &Decoder{cols: cols, style: defaultStyle, qrDots: 3, doc: Doc{Cols: cols}}
}

// Write feeds bytes of the stream. After an error every call fails.
func (d *Decoder) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	d.pending = append(d.pending, p...)
	for len(d.pending) > 0 {
		n, err := d.step(d.pending)
		if err != nil {
			d.err = err
			return len(p), err
		}
		if n == 0 {
			break // the rest of a command is still to come
		}
		d.pending = d.pending[n:]
	}
	return len(p), nil
}

// Close ends the stream: a line still in the buffer is printed (a printer
// would hold it, but a job that ends without a line feed shows here) and
// an unfinished command is an error.
func (d *Decoder) Close() (Doc, error) {
	if d.err != nil {
		return d.doc, d.err
	}
	if len(d.pending) > 0 {
		return d.doc, fmt.Errorf("stream ends inside a command (% x): %w", d.pending, ErrBadStream)
	}
	if d.midLine() {
		if err := d.flush(); err != nil {
			return d.doc, err
		}
	}
	return d.doc, nil
}

// step reads one command or character from the start of p and returns
// how many bytes it took, or 0 if p holds only part of it.
func (d *Decoder) step(p []byte) (int, error) {
	switch p[0] {
	case printer.LF:
		return 1, d.flush()
	case printer.DLE:
		return d.dle(p)
	case printer.ESC:
		return d.esc(p)
	case printer.FS:
		return d.fs(p)
	case printer.GS:
		return d.gs(p)
	}
	if p[0] < 0x20 || p[0] == 0x7F {
		return 0, fmt.Errorf("control byte %#02x: %w", p[0], ErrBadStream)
	}
	return d.char(p)
}

// need reports whether p holds n bytes.
func need(p []byte, n int) bool { return len(p) >= n }

func (d *Decoder) dle(p []byte) (int, error) {
	if !need(p, 3) {
		return 0, nil
	}
	if p[1] != printer.EOT || p[2] < 1 || p[2] > 4 {
		return 0, fmt.Errorf("unknown command DLE % x: %w", p[1:3], ErrBadStream)
	}
	d.doc.Status = append(d.doc.Status, p[2])
	if d.OnStatus != nil {
		d.OnStatus(p[2])
	}
	return 3, nil
}

func (d *Decoder) fs(p []byte) (int, error) {
	if !need(p, 2) {
		return 0, nil
	}
	switch p[1] {
	case '&':
		d.style.chinese = true
	case '.':
		d.style.chinese = false
	default:
		return 0, fmt.Errorf("unknown command FS %#02x: %w", p[1], ErrBadStream)
	}
	return 2, nil
}

func (d *Decoder) esc(p []byte) (int, error) {
	if !need(p, 2) {
		return 0, nil
	}
	size := map[byte]int{'@': 2, 't': 3, 'a': 3, 'E': 3, 'd': 3, 'p': 5}[p[1]]
	if size == 0 {
		return 0, fmt.Errorf("unknown command ESC %#02x: %w", p[1], ErrBadStream)
	}
	if !need(p, size) {
		return 0, nil
	}
	switch p[1] {
	case '@': // clears the buffer and every mode
		d.style, d.line, d.raw, d.open = defaultStyle, Line{}, nil, false
	case 't': // one-byte code page: nothing to draw
	case 'a':
		return 3, d.align(p[2])
	case 'E':
		return 3, d.restyle(func(s *style) { s.bold = p[2]&1 == 1 })
	case 'd':
		return 3, d.feed(int(p[2]))
	case 'p':
		if p[2] != 0 && p[2] != 1 && p[2] != '0' && p[2] != '1' {
			return 0, fmt.Errorf("ESC p on connector %d: %w", p[2], ErrBadStream)
		}
		d.doc.Lines = append(d.doc.Lines, Line{Kind: Pulse})
	}
	return size, nil
}

func (d *Decoder) align(n byte) error {
	if n >= '0' && n <= '2' {
		n -= '0'
	}
	if n > 2 {
		return fmt.Errorf("ESC a %d: %w", n, ErrBadStream)
	}
	if d.midLine() {
		d.doc.Ignored = append(d.doc.Ignored, fmt.Sprintf("ESC a %d in the middle of a line", n))
		return nil
	}
	d.style.align = printer.Alignment(n)
	return nil
}

func (d *Decoder) gs(p []byte) (int, error) {
	if !need(p, 3) {
		return 0, nil
	}
	switch p[1] {
	case '!':
		n := p[2]
		return 3, d.restyle(func(s *style) { s.w, s.h = int(n>>4&7)+1, int(n&7)+1 })
	case 'V':
		return d.cut(p)
	case '(':
		return d.qr(p)
	}
	return 0, fmt.Errorf("unknown command GS %#02x: %w", p[1], ErrBadStream)
}

func (d *Decoder) cut(p []byte) (int, error) {
	size := 3
	switch p[2] {
	case 0, 1, '0', '1':
	case 65, 66:
		size = 4
	default:
		return 0, fmt.Errorf("GS V %d: %w", p[2], ErrBadStream)
	}
	if !need(p, size) {
		return 0, nil
	}
	if d.midLine() {
		d.doc.Ignored = append(d.doc.Ignored, "GS V in the middle of a line")
		return size, nil
	}
	d.doc.Lines = append(d.doc.Lines, Line{Kind: Cut})
	return size, nil
}

// qr reads GS ( k pL pH cn fn …, QR code functions only (cn 49).
func (d *Decoder) qr(p []byte) (int, error) {
	if !need(p, 7) {
		return 0, nil
	}
	if p[2] != 'k' {
		return 0, fmt.Errorf("unknown command GS ( %#02x: %w", p[2], ErrBadStream)
	}
	size := 5 + int(p[3]) + int(p[4])<<8
	if !need(p, size) {
		return 0, nil
	}
	if p[5] != 49 || size < 8 {
		return 0, fmt.Errorf("GS ( k for symbol %d: %w", p[5], ErrBadStream)
	}
	args := p[7:size]
	switch fn := p[6]; fn {
	case 65, 69: // model, error level: not drawn
	case 67:
		d.qrDots = int(args[0])
	case 80:
		d.qrData = string(args[1:])
	case 81:
		if d.midLine() || d.qrData == "" {
			d.doc.Ignored = append(d.doc.Ignored, "QR print in the middle of a line or with no data stored")
			return size, nil
		}
		d.doc.Lines = append(d.doc.Lines, Line{Kind: QR, Align: d.style.align, QR: d.qrData, Modules: d.qrDots})
	default:
		return 0, fmt.Errorf("GS ( k function %d: %w", fn, ErrBadStream)
	}
	return size, nil
}
