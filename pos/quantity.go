package pos

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseQuantityPrefix reads what the cashier typed on the scan line as a
// quantity and a code or name: "3*6921168509256" is 3 of 6921168509256,
// "2*tea" 2 of tea, and text without a star is 1 of itself. Full-width
// digits and star (as a Chinese input method types them) are read too.
// The quantity is 1 to MaxQuantity (the basket's limit): 0 and 1000 are
// ErrQuantityLimit; no number before the star, anything but digits, a
// second star or nothing after it are ErrBadQuantity. Each error is one
// sentence naming the input and the fix.
func ParseQuantityPrefix(s string) (qty int, rest string, err error) {
	in := strings.TrimSpace(s)
	s = strings.TrimSpace(strings.Map(halfWidth, s))
	head, rest, found := strings.Cut(s, "*")
	if !found {
		return 1, s, nil
	}
	head, rest = strings.TrimSpace(head), strings.TrimSpace(rest)
	switch {
	case head == "":
		return 0, "", sentence(ErrBadQuantity, "%q has no quantity before the *; write it like 3*6921168509256", in)
	case !digits(head):
		return 0, "", sentence(ErrBadQuantity, "%q: the quantity before the * must be a whole number, like 3*6921168509256", in)
	case rest == "":
		return 0, "", sentence(ErrBadQuantity, "%q has nothing after the *; write the barcode, SKU or name after it, like 3*6921168509256", in)
	case strings.Contains(rest, "*"):
		return 0, "", sentence(ErrBadQuantity, "%q has more than one *; write one quantity, like 3*6921168509256", in)
	}
	n, err := strconv.Atoi(strings.TrimLeft(head, "0"))
	switch {
	case strings.TrimLeft(head, "0") == "":
		return 0, "", sentence(ErrQuantityLimit, "0 is not a quantity; write 1 to %d before the *", MaxQuantity)
	case err != nil || n > MaxQuantity:
		return 0, "", sentence(ErrQuantityLimit, "%s is too many of one product; write 1 to %d before the *", head, MaxQuantity)
	}
	return n, rest, nil
}

// AddN adds n of the product with this barcode or SKU, as Add adds one:
// onto its line if it is in the basket already. The line's quantity
// stays within 1 to MaxQuantity and the total within MaxTotal; a refused
// add leaves the basket as it was.
func (b *Basket) AddN(code string, n int) (int, error) {
	if n < 1 || n > MaxQuantity {
		return -1, fmt.Errorf("add %d of %q: must be 1 to %d: %w", n, code, MaxQuantity, ErrQuantityLimit)
	}
	code = strings.TrimSpace(code)
	p, ok := b.catalog.Lookup(code)
	if !ok {
		return -1, fmt.Errorf("add %q: %w", code, ErrUnknownProduct)
	}
	for i, l := range b.lines {
		if l.product.SKU == p.SKU {
			if err := b.SetQuantity(i, l.qty+n); err != nil {
				return i, fmt.Errorf("add %q: %w", code, err)
			}
			return i, nil
		}
	}
	if len(b.lines) >= MaxLines {
		return -1, fmt.Errorf("add %q: the basket has %d lines already: %w", code, MaxLines, ErrLineLimit)
	}
	line, err := p.Price.Mul(n)
	if err != nil || line > MaxTotal || b.Total()+line > MaxTotal { // both ≤ MaxTotal: no overflow
		return -1, fmt.Errorf("add %d of %q: the total would pass %s: %w", n, code, MaxTotal, ErrTotalLimit)
	}
	b.lines = append(b.lines, basketLine{product: p, barcode: scannedBarcode(p, code), qty: n})
	return len(b.lines) - 1, nil
}
