package pos

// Change is one thing reconcile found, for the cashier to see.
type Change struct {
	OrderNumber string
	OutTradeNo  string
	From, To    OrderStatus
	// Detail says what happened, in plain words (English; the screen may
	// word it from the statuses instead).
	Detail string
	// Err is set when the provider could not be asked; the till keeps
	// trying in the background.
	Err error
}
