package printer

import "fmt"

// Status is what a printer says of itself in answer to DLE EOT.
type Status struct {
	Offline      bool // not printing: the cover, the paper or an error stopped it
	CoverOpen    bool
	PaperOut     bool
	PaperNearEnd bool
	Error        bool // a cutter jam or another error
}

// Bits of the DLE EOT answers (dle_eot.html). Every answer has bit 1 and
// bit 4 set and bits 0 and 7 clear; the mask checks that shape.
const (
	statusFixed     = 0x12
	statusShapeMask = 0x93

	bitOffline       = 0x08 // n = 1
	bitCoverOpen     = 0x04 // n = 2
	bitPaperStop     = 0x20 // n = 2: printing stopped at paper end
	bitErrorStop     = 0x40 // n = 2: an error occurred
	bitsPaperNearEnd = 0x0C // n = 4: both near-end sensor bits
	bitsPaperEnd     = 0x60 // n = 4: both paper-end sensor bits
)

// statusQuery asks for the three answers the till reads: printer (1),
// offline cause (2) and roll paper sensor (4).
func statusQuery() []byte {
	q := RealtimeStatus(StatusPrinter)
	q = append(q, RealtimeStatus(StatusOfflineCause)...)
	return append(q, RealtimeStatus(StatusPaper)...)
}

// ParseStatus reads the answers to DLE EOT 1, 2 and 4, in that order.
func ParseStatus(answer [3]byte) (Status, error) {
	for _, b := range answer {
		if b&statusShapeMask != statusFixed {
			return Status{}, fmt.Errorf("read status answer % x: %w", answer, ErrUnreachable)
		}
	}
	printer, cause, paper := answer[0], answer[1], answer[2]
	return Status{
		Offline:      printer&bitOffline != 0,
		CoverOpen:    cause&bitCoverOpen != 0,
		PaperOut:     cause&bitPaperStop != 0 || paper&bitsPaperEnd == bitsPaperEnd,
		PaperNearEnd: paper&bitsPaperNearEnd == bitsPaperNearEnd,
		Error:        cause&bitErrorStop != 0,
	}, nil
}

// Answer is the printer's one-byte answer to DLE EOT n (1–4) in this
// status; the simulator answers with it.
func (s Status) Answer(n byte) byte {
	b := byte(statusFixed)
	set := func(on bool, bits byte) {
		if on {
			b |= bits
		}
	}
	switch n {
	case StatusPrinter:
		set(s.Offline || s.CoverOpen || s.PaperOut || s.Error, bitOffline)
	case StatusOfflineCause:
		set(s.CoverOpen, bitCoverOpen)
		set(s.PaperOut, bitPaperStop)
		set(s.Error, bitErrorStop)
	case StatusPaper:
		set(s.PaperNearEnd || s.PaperOut, bitsPaperNearEnd)
		set(s.PaperOut, bitsPaperEnd)
	}
	return b
}

// Err is why the printer cannot print now, or nil. A paper roll near its
// end still prints.
func (s Status) Err() error {
	switch {
	case s.PaperOut:
		return ErrPaperOut
	case s.CoverOpen:
		return ErrCoverOpen
	case s.Offline || s.Error:
		return ErrOffline
	}
	return nil
}
