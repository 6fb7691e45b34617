package decode_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"qrtill/printer"
	"qrtill/printer/decode"
)

// cat joins commands and text into one stream.
func cat(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case []byte:
			b = append(b, p...)
		case string:
			enc, err := printer.EncodeText(p)
			if err != nil {
				panic(err)
			}
			b = append(b, enc...)
		case byte:
			b = append(b, p)
		}
	}
	return b
}

var start = cat(printer.Initialize(), printer.ChineseMode())

func TestDecodeLinesAndStyles(t *testing.T) {
	stream := cat(start, printer.Align(printer.AlignCenter), printer.Bold(true), "小店", byte(printer.LF),
		printer.Bold(false), printer.Align(printer.AlignRight), "A", printer.Size(2, 2), "7", printer.Size(1, 1), byte(printer.LF),
		printer.Feed(2), printer.Cut())
	doc, err := decode.Decode(stream, 32)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Texts(); !reflect.DeepEqual(got, []string{"小店", "A7", "", ""}) {
		t.Fatalf("texts %q", got)
	}
	first, second := doc.Lines[0], doc.Lines[1]
	if first.Align != printer.AlignCenter || !first.Spans[0].Bold || first.Cells() != 4 {
		t.Errorf("first line %+v", first)
	}
	want := []decode.Span{{Text: "A", Width: 1, Height: 1, Cells: 1}, {Text: "7", Width: 2, Height: 2, Cells: 2}}
	if second.Align != printer.AlignRight || !reflect.DeepEqual(second.Spans, want) {
		t.Errorf("second line %+v", second)
	}
	if doc.Count(decode.Cut) != 1 || doc.Count(decode.Pulse) != 0 || len(doc.Ignored) != 0 {
		t.Errorf("cuts %d pulses %d ignored %q", doc.Count(decode.Cut), doc.Count(decode.Pulse), doc.Ignored)
	}
	lines := strings.Split(doc.Render(), "\n")
	if lines[0] != strings.Repeat(" ", 14)+"小店" || lines[1] != strings.Repeat(" ", 29)+"A７" {
		t.Errorf("render:\n%s", doc.Render())
	}
}

// A stream cut anywhere, even inside a GB18030 character or a QR
// command, decodes the same.
func TestDecodeSplitWrites(t *testing.T) {
	store, _ := printer.QRStore("20261122103000000abc0001")
	stream := cat(start, printer.DrawerPulse(), "农夫山泉𠮷 Water", byte(printer.LF), printer.Align(printer.AlignCenter),
		printer.QRModel(), printer.QRModuleSize(6), store, printer.QRPrint(), printer.Cut())
	whole, err := decode.Decode(stream, 48)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 1; cut < len(stream); cut++ {
		d := decode.NewDecoder(48)
		if _, err := d.Write(stream[:cut]); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if _, err := d.Write(stream[cut:]); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		doc, err := d.Close()
		if err != nil || !reflect.DeepEqual(doc, whole) {
			t.Fatalf("cut at %d: %+v, %v\nwant %+v", cut, doc, err, whole)
		}
	}
	if qrs := whole.QRs(); len(qrs) != 1 || qrs[0] != "20261122103000000abc0001" || whole.Lines[2].Modules != 6 {
		t.Errorf("QRs %q %+v", qrs, whole.Lines)
	}
	if whole.Texts()[0] != "农夫山泉𠮷 Water" || whole.Lines[1].Cells() != 16 {
		t.Errorf("text %q, %d cells", whole.Texts()[0], whole.Lines[1].Cells())
	}
}

// The printer wraps a line longer than the paper, a wide character
// whole; the decoder marks the wrapped line.
func TestDecodeWrap(t *testing.T) {
	doc, err := decode.Decode(cat(start, strings.Repeat("a", 31)+"水b", byte(printer.LF)), 32)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Texts(); !reflect.DeepEqual(got, []string{strings.Repeat("a", 31), "水b"}) || !doc.Lines[1].Wrapped {
		t.Fatalf("texts %q, wrapped %v", got, doc.Lines[1].Wrapped)
	}
}

// What a printer ignores (justification or a cut mid-line) is listed.
func TestDecodeIgnoredMidLine(t *testing.T) {
	doc, err := decode.Decode(cat(start, "ab", printer.Align(printer.AlignCenter), printer.Cut(), "c", byte(printer.LF)), 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Ignored) != 2 || doc.Lines[0].Align != printer.AlignLeft || doc.Count(decode.Cut) != 0 {
		t.Fatalf("ignored %q, lines %+v", doc.Ignored, doc.Lines)
	}
}

// ESC @ throws away what is in the buffer.
func TestDecodeInitializeClearsBuffer(t *testing.T) {
	doc, err := decode.Decode(cat(start, printer.Bold(true), "lost", printer.Initialize(), "kept", byte(printer.LF)), 32)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Texts(); !reflect.DeepEqual(got, []string{"kept"}) || doc.Lines[0].Spans[0].Bold {
		t.Fatalf("texts %q %+v", got, doc.Lines)
	}
}

func TestDecodeStatusRequests(t *testing.T) {
	var asked []byte
	d := decode.NewDecoder(32)
	d.OnStatus = func(n byte) { asked = append(asked, n) }
	if _, err := d.Write(cat(printer.RealtimeStatus(1), printer.RealtimeStatus(4))); err != nil {
		t.Fatal(err)
	}
	doc, err := d.Close()
	if err != nil || !reflect.DeepEqual(asked, []byte{1, 4}) || doc.Printed() {
		t.Fatalf("asked %v, printed %v, %v", asked, doc.Printed(), err)
	}
}

func TestDecodeRefusesUnknown(t *testing.T) {
	for name, stream := range map[string][]byte{
		"unknown ESC":           {0x1B, 'Z', 0},
		"unknown GS":            {0x1D, 'k', 2},
		"bell":                  {0x07},
		"high byte, no Chinese": {0x1B, '@', 0xD6, 0xD0},
		"unfinished QR":         {0x1D, '(', 'k', 0x10, 0x00, 0x31, 0x50, 0x30, 'a'},
		"unfinished character":  cat(start, []byte{0xD6}),
		"bad DLE":               {0x10, 0x05, 0x01},
	} {
		if _, err := decode.Decode(stream, 32); !errors.Is(err, decode.ErrBadStream) {
			t.Errorf("%s: %v, want ErrBadStream", name, err)
		}
	}
}
