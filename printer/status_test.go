package printer_test

import (
	"errors"
	"testing"

	"qrtill/printer"
)

// Answers as the Epson reference lists them for DLE EOT 1, 2 and 4.
func TestParseStatus(t *testing.T) {
	tests := []struct {
		name    string
		answer  [3]byte
		want    printer.Status
		wantErr error
	}{
		{"ready", [3]byte{0x12, 0x12, 0x12}, printer.Status{}, nil},
		{"paper near end", [3]byte{0x12, 0x12, 0x1E}, printer.Status{PaperNearEnd: true}, nil},
		{"paper out", [3]byte{0x1A, 0x32, 0x7E}, printer.Status{Offline: true, PaperOut: true, PaperNearEnd: true}, printer.ErrPaperOut},
		{"paper sensor only", [3]byte{0x12, 0x12, 0x72}, printer.Status{PaperOut: true}, printer.ErrPaperOut},
		{"cover open", [3]byte{0x1A, 0x16, 0x12}, printer.Status{Offline: true, CoverOpen: true}, printer.ErrCoverOpen},
		{"error", [3]byte{0x1A, 0x52, 0x12}, printer.Status{Offline: true, Error: true}, printer.ErrOffline},
		{"offline", [3]byte{0x1A, 0x12, 0x12}, printer.Status{Offline: true}, printer.ErrOffline},
	}
	for _, tt := range tests {
		got, err := printer.ParseStatus(tt.answer)
		if err != nil || got != tt.want {
			t.Errorf("%s: ParseStatus(% x) = %+v, %v; want %+v", tt.name, tt.answer, got, err, tt.want)
		}
		if err := got.Err(); !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%s: Err() = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

// A byte without the fixed bits is not a status answer (a printer that
// echoes, or another protocol on the port).
func TestParseStatusRefusesGarbage(t *testing.T) {
	for _, a := range [][3]byte{{0x00, 0x12, 0x12}, {0x12, 0x92, 0x12}, {'H', 'T', 'T'}} {
		if _, err := printer.ParseStatus(a); !errors.Is(err, printer.ErrUnreachable) {
			t.Errorf("ParseStatus(% x) = %v, want ErrUnreachable", a, err)
		}
	}
}

// What the simulator answers reads back as the status it was given.
func TestStatusAnswerRoundTrip(t *testing.T) {
	for _, s := range []printer.Status{
		{}, {PaperNearEnd: true}, {PaperOut: true}, {CoverOpen: true}, {Error: true}, {Offline: true},
		{CoverOpen: true, PaperOut: true},
	} {
		answer := [3]byte{s.Answer(printer.StatusPrinter), s.Answer(printer.StatusOfflineCause), s.Answer(printer.StatusPaper)}
		got, err := printer.ParseStatus(answer)
		if err != nil {
			t.Fatal(err)
		}
		want := s
		want.Offline = s.Offline || s.CoverOpen || s.PaperOut || s.Error
		want.PaperNearEnd = s.PaperNearEnd || s.PaperOut
		if got != want {
			t.Errorf("%+v answered % x, read back %+v", s, answer, got)
		}
	}
}
