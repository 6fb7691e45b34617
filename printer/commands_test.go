package printer_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"qrtill/printer"
)

// Each command against the bytes of the Epson ESC/POS reference.
func TestCommandBytes(t *testing.T) {
	store, err := printer.QRStore("20261122103000000abc0001")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"ESC @", printer.Initialize(), []byte{0x1B, 0x40}},
		{"ESC t 0", printer.SelectCodePage(0), []byte{0x1B, 0x74, 0x00}},
		{"FS &", printer.ChineseMode(), []byte{0x1C, 0x26}},
		{"FS .", printer.CancelChineseMode(), []byte{0x1C, 0x2E}},
		{"ESC a 0", printer.Align(printer.AlignLeft), []byte{0x1B, 0x61, 0x00}},
		{"ESC a 1", printer.Align(printer.AlignCenter), []byte{0x1B, 0x61, 0x01}},
		{"ESC a 2", printer.Align(printer.AlignRight), []byte{0x1B, 0x61, 0x02}},
		{"ESC E 1", printer.Bold(true), []byte{0x1B, 0x45, 0x01}},
		{"ESC E 0", printer.Bold(false), []byte{0x1B, 0x45, 0x00}},
		{"GS ! normal", printer.Size(1, 1), []byte{0x1D, 0x21, 0x00}},
		{"GS ! double height", printer.Size(1, 2), []byte{0x1D, 0x21, 0x01}},
		{"GS ! double width", printer.Size(2, 1), []byte{0x1D, 0x21, 0x10}},
		{"GS ! 3x3", printer.Size(3, 3), []byte{0x1D, 0x21, 0x22}},
		{"GS ! 8x8", printer.Size(8, 8), []byte{0x1D, 0x21, 0x77}},
		{"GS ! clamped", printer.Size(0, 9), []byte{0x1D, 0x21, 0x07}},
		{"ESC d 3", printer.Feed(3), []byte{0x1B, 0x64, 0x03}},
		{"ESC d clamped", printer.Feed(300), []byte{0x1B, 0x64, 0xFF}},
		{"GS V B 0", printer.Cut(), []byte{0x1D, 0x56, 0x42, 0x00}},
		{"ESC p 0 25 250", printer.DrawerPulse(), []byte{0x1B, 0x70, 0x00, 0x19, 0xFA}},
		{"DLE EOT 1", printer.RealtimeStatus(printer.StatusPrinter), []byte{0x10, 0x04, 0x01}},
		{"DLE EOT 4", printer.RealtimeStatus(printer.StatusPaper), []byte{0x10, 0x04, 0x04}},
		{"QR model 2", printer.QRModel(), []byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00}},
		{"QR module 6", printer.QRModuleSize(6), []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06}},
		{"QR module clamped", printer.QRModuleSize(40), []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x10}},
		{"QR level M", printer.QRErrorLevel(printer.QRLevelM), []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31}},
		{"QR store", store, append([]byte{0x1D, 0x28, 0x6B, 27, 0x00, 0x31, 0x50, 0x30}, "20261122103000000abc0001"...)},
		{"QR print", printer.QRPrint(), []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30}},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s = % x, want % x", tt.name, tt.got, tt.want)
		}
	}
}

// pL pH count past 255 bytes: a 300-byte payload is 303 = 0x2F + 1×256.
func TestQRStoreLengthBytes(t *testing.T) {
	b, err := printer.QRStore(strings.Repeat("A", 300))
	if err != nil {
		t.Fatal(err)
	}
	if b[3] != 0x2F || b[4] != 0x01 || len(b) != 8+300 {
		t.Fatalf("pL pH = %#x %#x, len %d", b[3], b[4], len(b))
	}
	for _, bad := range []string{"", strings.Repeat("A", printer.QRMaxData+1)} {
		if _, err := printer.QRStore(bad); !errors.Is(err, printer.ErrBadQR) {
			t.Errorf("QRStore(%d bytes) = %v, want ErrBadQR", len(bad), err)
		}
	}
}

// A job starts with ESC @, code page 0 and Chinese mode, and text goes
// out in GB18030.
func TestWriterJob(t *testing.T) {
	w := printer.NewWriter()
	w.Align(printer.AlignCenter)
	w.Bold(true)
	w.Line("中A")
	w.Cut()
	got, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x1B, 0x40, 0x1B, 0x74, 0x00, 0x1C, 0x26, 0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01,
		0xD6, 0xD0, 'A', 0x0A, 0x1D, 0x56, 0x42, 0x00}
	if !bytes.Equal(got, want) {
		t.Fatalf("job = % x\nwant  % x", got, want)
	}
}

// The first error sticks and later writes do nothing.
func TestWriterStickyError(t *testing.T) {
	w := printer.NewWriter()
	w.QR("", 6, printer.QRLevelM)
	w.Line("after")
	if _, err := w.Bytes(); !errors.Is(err, printer.ErrBadQR) {
		t.Fatalf("Bytes after an empty QR = %v, want ErrBadQR", err)
	}
}
