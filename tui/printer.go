package tui

import (
	"errors"

	"qrtill/pos"
)

// Printer is the receipt printer as the screens use it; the app adapts
// its print service to it (nil: the till has no printer). Every call only
// queues a job and returns the job's number at once, so printing never
// blocks or fails a sale; what became of the job arrives later on
// Outcomes. Documents are printed in the language given.
type Printer interface {
	// Receipt prints the customer's receipt of a paid order; a cash
	// sale's receipt opens the cash drawer first. A copy (a reprint) is
	// marked so and opens no drawer.
	Receipt(o pos.Order, lang Lang, copy bool) (job int, err error)
	// RefundSlip prints the slip of one of the order's refunds.
	RefundSlip(o pos.Order, refundNo string, lang Lang) (job int, err error)
	// DayReport prints the day's closing (Z) report.
	DayReport(rep pos.DayReport, orders []pos.Order, lang Lang) (job int, err error)
	// OpenDrawer opens the cash drawer without printing (a cash sale when
	// receipts are not printed automatically).
	OpenDrawer() (job int, err error)
	// Auto reports whether receipts print as soon as a sale is paid.
	Auto() bool
	// Outcomes delivers what became of every job (each session keeps the
	// ones it queued); stop ends the subscription.
	Outcomes() (outcomes <-chan PrintOutcome, stop func())
}

// PrintOutcome is what became of one print job, worded for the cashier
// in both languages ("Printed receipt No. 12." or what went wrong and
// what to do).
type PrintOutcome struct {
	Job              int
	OK               bool
	English, Chinese string
}

// Sentence is the outcome in the session's language.
func (o PrintOutcome) Sentence(l Lang) string {
	if l == Chinese {
		return o.Chinese
	}
	return o.English
}

// PrintError is a job the printer would not take (no printer, queue
// full), worded for the cashier in both languages.
type PrintError struct{ English, Chinese string }

func (e PrintError) Error() string { return e.English }

// printErrorText words an error from the printer for the cashier.
func printErrorText(lang Lang, err error) string {
	var pe PrintError
	if errors.As(err, &pe) {
		if lang == Chinese {
			return pe.Chinese
		}
		return pe.English
	}
	return T(lang, "e.generic")
}
