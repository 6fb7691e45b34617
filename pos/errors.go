package pos

import "errors"

// Domain errors. Wrapped errors carry the detail; test with errors.Is.
var (
	ErrBadMoney            = errors.New("bad amount")
	ErrEmptyBasket         = errors.New("basket is empty")
	ErrUnknownProduct      = errors.New("no such product")
	ErrQuantityLimit       = errors.New("quantity out of range")
	ErrLineLimit           = errors.New("too many basket lines")
	ErrNoSuchLine          = errors.New("no such basket line")
	ErrTotalLimit          = errors.New("total too large")
	ErrForbiddenTransition = errors.New("forbidden status change")
	ErrBadOrderNumber      = errors.New("bad order number")
	ErrBadCatalog          = errors.New("bad catalog")
)

// sentenceError is an error for people: its text is one whole sentence
// naming the input and the fix, and errors.Is still finds its sentinel.
type sentenceError struct {
	kind error
	msg  string
}

func (e *sentenceError) Error() string { return e.msg }
func (e *sentenceError) Unwrap() error { return e.kind }
