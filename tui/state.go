package tui

import "qrtill/pos"

// payState is what the pay screen's status line says, each with its own
// colour (Styles.Status) and symbol, so the states can be told apart
// from a step away and without colour.
type payState int

const (
	stateChoosing payState = iota // no payment asked for yet
	stateWaiting                  // a QR waits for its scan (or a QR is being made)
	stateScanned                  // scanned: the customer is confirming
	statePassword                 // a payment code waits for the customer's password
	statePaid
	stateCancel
	stateExpired
	stateTrouble // the provider does not answer, or a step failed
)

// stateSymbols are the symbols of the states: one cell each, never
// ambiguous in width (Dingbats), so Chinese terminals keep them narrow.
var stateSymbols = map[payState]string{
	stateChoosing: "➜", stateWaiting: "✧", stateScanned: "➜", statePassword: "✱",
	statePaid: "✓", stateCancel: "✗", stateExpired: "✕", stateTrouble: "✚",
}

// payStateOf is the state an order's screen shows.
func payStateOf(o pos.Order, trouble bool) payState {
	switch o.Status {
	case pos.OrderPaid, pos.OrderPartiallyRefunded, pos.OrderRefunded:
		return statePaid
	case pos.OrderCancelled:
		return stateCancel
	case pos.OrderExpired:
		return stateExpired
	}
	if trouble {
		return stateTrouble
	}
	if len(o.Attempts) == 0 {
		return stateChoosing
	}
	a := o.Attempts[len(o.Attempts)-1]
	switch {
	case a.WaitingForPassword():
		return statePassword
	case a.Status == pos.AttemptScanned:
		return stateScanned
	case a.Open():
		return stateWaiting
	}
	return stateChoosing
}
