package pos

import (
	"errors"
	"fmt"
)

// Errors of the counter: payment codes, cash, editing a sale, quantities
// and roles. The till returns them wrapped in a sentence for people
// (sentenceError); test with errors.Is, word them on screen by sentinel.
var (
	// ErrNotPaymentCode: the text is not an Alipay or WeChat Pay payment
	// code. Nothing was stored or sent.
	ErrNotPaymentCode = errors.New("not a payment code")
	// ErrCodeRefused: the provider refused the customer's payment code
	// (expired, already used, or refused for another reason). The
	// attempt failed; the cashier scans again or takes another way.
	ErrCodeRefused = errors.New("the payment code was refused")
	// ErrBalanceLow: the customer's balance cannot cover the total.
	ErrBalanceLow = errors.New("the customer's balance is not enough")
	// ErrCodeBusy: a payment code is already being charged for this order
	// (the customer is entering the password); nothing new was sent.
	ErrCodeBusy = errors.New("a payment code is already being charged")
	// ErrCashShort: the cash given is less than the total.
	ErrCashShort = errors.New("not enough cash")
	// ErrCashTooMuch: the cash given is above MaxCash.
	ErrCashTooMuch = errors.New("cash amount too large")
	// ErrBadQuantity: an "N*" quantity prefix that is not a number, or
	// nothing after the star.
	ErrBadQuantity = errors.New("bad quantity prefix")
	// ErrNotOpen: only an open order's basket can be changed; go back to
	// the basket (Reopen) first.
	ErrNotOpen = errors.New("order is not open for editing")
	// ErrManagerOnly: the step needs the manager role. The till's errors
	// wrap one of the two below, which both match it.
	ErrManagerOnly = errors.New("a manager is needed")
	// ErrRefundManagerOnly: a cashier asked for a refund.
	ErrRefundManagerOnly = fmt.Errorf("refund: %w", ErrManagerOnly)
	// ErrReportManagerOnly: a cashier asked for the day report.
	ErrReportManagerOnly = fmt.Errorf("day report: %w", ErrManagerOnly)
	// ErrBadPIN: a new manager PIN that is not 4 to 12 digits.
	ErrBadPIN = errors.New("bad manager PIN")
	// ErrWrongPIN: the PIN does not match the configured hash.
	ErrWrongPIN = errors.New("wrong manager PIN")
	// ErrNoPIN: no manager PIN is configured ([manager] pin_hash).
	ErrNoPIN = errors.New("no manager PIN is set")
)

// sentence makes an error whose text is the sentence and which matches kind.
func sentence(kind error, format string, args ...any) error {
	return &sentenceError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
