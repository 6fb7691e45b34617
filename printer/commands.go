package printer

import (
	"fmt"
)

// The ESC/POS commands the till sends, one function each. The reference
// is Epson's "ESC/POS Command Reference for TM Printers"; each comment
// names the command's page under
// https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/.
// Chinese-market printers (Xprinter, GPrinter, Sunmi, Epson TM-T82 CN)
// implement the same bytes.

// Control codes.
const (
	LF  = 0x0A // print and line feed (lf.html)
	DLE = 0x10
	EOT = 0x04
	ESC = 0x1B
	FS  = 0x1C
	GS  = 0x1D
)

// Initialize is ESC @ (esc_atsign.html): clear the print buffer and
// return every mode (alignment, emphasis, size, character mode) to the
// power-on default. Every job starts with it, so a job left half-done by
// a dropped connection cannot style the next one.
func Initialize() []byte { return []byte{ESC, '@'} }

// SelectCodePage is ESC t n (esc_lt.html): the table used for one-byte
// characters 0x80–0xFF outside Chinese mode. The till selects page 0
// (PC437), whose lower half is ASCII; in Chinese mode every byte from
// 0x81 up starts a GB18030 character and the page is not consulted.
func SelectCodePage(n byte) []byte { return []byte{ESC, 't', n} }

// ChineseMode is FS & (fs_ampersand.html, "Select Kanji character
// mode"): bytes 0x81–0xFE start a two-byte (or, on GB18030 printers,
// four-byte) character printed in the 24×24 Hanzi font, two cells wide.
func ChineseMode() []byte { return []byte{FS, '&'} }

// CancelChineseMode is FS . (fs_period.html, "Cancel Kanji character
// mode").
func CancelChineseMode() []byte { return []byte{FS, '.'} }

// Alignment is the justification of a printed line.
type Alignment byte

// The three justifications of ESC a.
const (
	AlignLeft   Alignment = 0
	AlignCenter Alignment = 1
	AlignRight  Alignment = 2
)

// Align is ESC a n (esc_la.html): justify the following lines. The
// printer applies it only at the beginning of a line.
func Align(a Alignment) []byte { return []byte{ESC, 'a', byte(a)} }

// Bold is ESC E n (esc_ce.html, "Turn emphasized mode on/off"): the
// lowest bit of n switches emphasis.
func Bold(on bool) []byte {
	n := byte(0)
	if on {
		n = 1
	}
	return []byte{ESC, 'E', n}
}

// MaxMagnify is the largest character magnification GS ! allows.
const MaxMagnify = 8

// Size is GS ! n (gs_exclamation.html, "Select character size"): width
// magnification in bits 4–6 and height in bits 0–2, each 1 to 8 times
// (stored as 0–7). Values outside 1–8 are clamped. A character at width
// w takes w times its cells.
func Size(width, height int) []byte {
	w, h := clampMagnify(width), clampMagnify(height)
	return []byte{GS, '!', byte((w-1)<<4 | (h - 1))}
}

func clampMagnify(n int) int { return min(max(n, 1), MaxMagnify) }

// Feed is ESC d n (esc_ld.html, "Print and feed n lines"): print what is
// in the buffer and feed n lines (0–255; clamped).
func Feed(lines int) []byte { return []byte{ESC, 'd', byte(min(max(lines, 0), 255))} }

// Cut is GS V 66 n (gs_cv.html, function B, "feed paper to (cutting
// position + n × vertical motion unit) and execute a partial cut"). The
// till uses n = 0: the printer itself feeds the last line past the
// cutter, and the partial cut leaves the receipt hanging by a tab, as
// shops prefer.
func Cut() []byte { return []byte{GS, 'V', 66, 0} }

// Drawer pulse timing, in units of 2 ms (esc_lp.html): 50 ms on, 500 ms
// off, the values Epson's drawer guide recommends.
const (
	drawerPin     = 0   // connector pin 2, where drawers are wired
	drawerOnTime  = 25  // × 2 ms
	drawerOffTime = 250 // × 2 ms
)

// DrawerPulse is ESC p m t1 t2 (esc_lp.html, "Generate pulse"): a pulse
// on drawer-kick connector pin 2 that opens the cash drawer.
func DrawerPulse() []byte { return []byte{ESC, 'p', drawerPin, drawerOnTime, drawerOffTime} }

// Status requests for DLE EOT n (dle_eot.html, "Transmit real-time
// status"). The printer answers each with one byte at once, even while
// it prints.
const (
	StatusPrinter      byte = 1 // online or offline, drawer sensor
	StatusOfflineCause byte = 2 // cover open, paper end stop, error
	StatusErrorCause   byte = 3 // cutter, unrecoverable and auto-recoverable errors
	StatusPaper        byte = 4 // roll paper near end and end
)

// RealtimeStatus is DLE EOT n (dle_eot.html).
func RealtimeStatus(n byte) []byte { return []byte{DLE, EOT, n} }

// QRLevel is a QR code's error correction level.
type QRLevel byte

// The four levels of GS ( k function 169.
const (
	QRLevelL QRLevel = 48 // 7 %
	QRLevelM QRLevel = 49 // 15 %
	QRLevelQ QRLevel = 50 // 25 %
	QRLevelH QRLevel = 51 // 30 %
)

// QRMaxData is the most bytes a QR code holds (model 2, version 40, level
// L, byte mode) and so the most GS ( k function 180 accepts.
const QRMaxData = 7089

// qrCommand is GS ( k pL pH cn fn [params]: cn 49 is the QR code symbol;
// pL + pH × 256 counts the bytes after pH.
func qrCommand(fn byte, params ...byte) []byte {
	n := len(params) + 2
	return append([]byte{GS, '(', 'k', byte(n), byte(n >> 8), 49, fn}, params...)
}

// QRModel is GS ( k function 165 (gs_lparen_lk_fn65.html): select model
// 2 (n1 = 50, n2 = 0), which every QR reader reads.
func QRModel() []byte { return qrCommand(65, 50, 0) }

// QRModuleSize is GS ( k function 167 (gs_lparen_lk_fn67.html): the side
// of one module in dots, 1–16 (clamped).
func QRModuleSize(dots int) []byte { return qrCommand(67, byte(min(max(dots, 1), 16))) }

// QRErrorLevel is GS ( k function 169 (gs_lparen_lk_fn69.html).
func QRErrorLevel(l QRLevel) []byte { return qrCommand(69, byte(l)) }

// QRStore is GS ( k function 180 (gs_lparen_lk_fn80.html): store the
// symbol's data (m = 48) in the printer's symbol storage area.
func QRStore(data string) ([]byte, error) {
	if data == "" || len(data) > QRMaxData {
		return nil, fmt.Errorf("store QR data of %d bytes: %w", len(data), ErrBadQR)
	}
	return qrCommand(80, append([]byte{48}, data...)...), nil
}

// QRPrint is GS ( k function 181 (gs_lparen_lk_fn81.html): print the
// stored symbol (m = 48).
func QRPrint() []byte { return qrCommand(81, 48) }
