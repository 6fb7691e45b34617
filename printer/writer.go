package printer

import "bytes"

// Writer assembles one print job from the commands in commands.go. Its
// first error sticks: later calls do nothing and Bytes reports it, so a
// layout can write a whole page and check once.
type Writer struct {
	buf bytes.Buffer
	err error
}

// NewWriter starts a job: ESC @, code page 0 and Chinese mode.
func NewWriter() *Writer {
	w := &Writer{}
	w.raw(Initialize())
	w.raw(SelectCodePage(0))
	w.raw(ChineseMode())
	return w
}

func (w *Writer) raw(b []byte) {
	if w.err == nil {
		w.buf.Write(b)
	}
}

// Align justifies the following lines.
func (w *Writer) Align(a Alignment) { w.raw(Align(a)) }

// Bold switches emphasis.
func (w *Writer) Bold(on bool) { w.raw(Bold(on)) }

// Size magnifies the following characters (1–8 times each way).
func (w *Writer) Size(width, height int) { w.raw(Size(width, height)) }

// Text writes text in GB18030, with no line feed.
func (w *Writer) Text(s string) {
	if w.err != nil {
		return
	}
	b, err := EncodeText(s)
	if err != nil {
		w.err = err
		return
	}
	w.buf.Write(b)
}

// Line writes text and a line feed.
func (w *Writer) Line(s string) {
	w.Text(s)
	w.raw([]byte{LF})
}

// Lines writes each line with a line feed.
func (w *Writer) Lines(lines []string) {
	for _, l := range lines {
		w.Line(l)
	}
}

// QR prints a model 2 QR code of data with modules dots wide, at the
// current alignment.
func (w *Writer) QR(data string, modules int, level QRLevel) {
	store, err := QRStore(data)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.raw(QRModel())
	w.raw(QRModuleSize(modules))
	w.raw(QRErrorLevel(level))
	w.raw(store)
	w.raw(QRPrint())
}

// Feed prints the buffer and feeds n lines.
func (w *Writer) Feed(n int) { w.raw(Feed(n)) }

// Cut feeds the paper past the cutter and cuts it.
func (w *Writer) Cut() { w.raw(Cut()) }

// DrawerPulse opens the cash drawer.
func (w *Writer) DrawerPulse() { w.raw(DrawerPulse()) }

// Bytes returns the job, or the first error met while writing it.
func (w *Writer) Bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	return bytes.Clone(w.buf.Bytes()), nil
}
