package printer

import (
	"errors"
	"fmt"
)

// Errors of the printer layer. A job's error wraps one of them (test with
// errors.Is); Sentence words it for the cashier.
var (
	ErrBadAddress = errors.New("bad printer address")
	ErrBadWidth   = errors.New("bad paper width")
	ErrBadQR      = errors.New("bad QR code data")
	ErrNoRefund   = errors.New("no such refund")
	ErrNoPrinter  = errors.New("no printer is set up")
	// ErrUnreachable: the printer refused or never took the connection,
	// the device is missing, or the printer stopped answering.
	ErrUnreachable = errors.New("printer does not answer")
	ErrPaperOut    = errors.New("printer is out of paper")
	ErrCoverOpen   = errors.New("printer cover is open")
	// ErrOffline: offline for another reason (an error, the feed button).
	ErrOffline = errors.New("printer is offline")
	// ErrDenied: the device exists but this user may not write to it.
	ErrDenied = errors.New("printer device is not writable")
	// ErrStatusUnsupported: the transport cannot read the printer's status.
	ErrStatusUnsupported = errors.New("printer status cannot be read over this transport")
	ErrQueueFull         = errors.New("print queue is full")
	ErrClosed            = errors.New("printing has stopped")
	ErrNothingToRetry    = errors.New("nothing has been printed yet")
	ErrBusy              = errors.New("the last job is still printing")
)

// sentenceError is an error whose text is one whole sentence for people,
// naming the input and the fix; errors.Is still finds its sentinel.
type sentenceError struct {
	kind error
	msg  string
}

func (e *sentenceError) Error() string { return e.msg }
func (e *sentenceError) Unwrap() error { return e.kind }

func sentencef(kind error, format string, args ...any) error {
	return &sentenceError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
