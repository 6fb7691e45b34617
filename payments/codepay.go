package payments

import "errors"

// Refusals of a customer-presented payment code (PayByCode). A provider
// wraps them together with ErrRejected, so callers that only know
// ErrRejected still see a refusal; a till that words the refusal for
// the cashier tells these two apart.
var (
	// ErrCodeInvalid: the payment code is not valid any more (expired,
	// already used, or not a code of this provider). The customer
	// refreshes it in the app and the cashier scans again.
	ErrCodeInvalid = errors.New("the payment code is invalid or expired")
	// ErrBalanceLow: the buyer's balance (or the card behind it) cannot
	// cover the amount.
	ErrBalanceLow = errors.New("the buyer's balance is not enough")
)
