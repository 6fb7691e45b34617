package pos

import "errors"

// Domain errors. Wrapped errors carry the detail; test with errors.Is.
var (
	ErrBadMoney            = errors.New("bad amount")
	ErrEmptyBasket         = errors.New("basket is empty")
	ErrUnknownProduct      = errors.New("no such product")
	ErrQuantityLimit       = errors.New("quantity out of range")
	ErrLineLimit           = errors.New("too many basket lines")
	ErrTotalLimit          = errors.New("total too large")
	ErrForbiddenTransition = errors.New("forbidden status change")
	ErrBadOrderNumber      = errors.New("bad order number")
	ErrBadCatalog          = errors.New("bad catalog")
)
