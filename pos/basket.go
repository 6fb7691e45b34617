package pos

import "fmt"

// Basket limits: a small shop till refuses absurd baskets.
const (
	MaxLines    = 200
	MaxQuantity = 999
	MaxTotal    = Money(1_000_000_00) // ¥1,000,000.00
)

// Basket is the sale being rung up: products with quantities.
type Basket struct {
	catalog *Catalog
	lines   []basketLine
}

type basketLine struct {
	product Product
	code    string // the code it was added by
	qty     int
}

// NewBasket starts an empty basket on a catalog.
func NewBasket(c *Catalog) *Basket { return &Basket{catalog: c} }

// Add adds one of the product with this barcode or SKU; a product already
// in the basket gets one more. It returns the index of the line.
func (b *Basket) Add(code string) (int, error) {
	p, ok := b.catalog.Lookup(code)
	if !ok {
		return -1, fmt.Errorf("add %q: %w", code, ErrUnknownProduct)
	}
	for i, l := range b.lines {
		if l.product.SKU == p.SKU {
			return i, b.SetQuantity(i, l.qty+1)
		}
	}
	if len(b.lines) >= MaxLines {
		return -1, fmt.Errorf("add %q: the basket has %d lines already: %w", code, MaxLines, ErrLineLimit)
	}
	if b.Total()+p.Price > MaxTotal {
		return -1, fmt.Errorf("add %q: the total would pass %s: %w", code, MaxTotal, ErrTotalLimit)
	}
	b.lines = append(b.lines, basketLine{product: p, code: code, qty: 1})
	return len(b.lines) - 1, nil
}

// SetQuantity sets line i's quantity (1 to MaxQuantity).
func (b *Basket) SetQuantity(i, qty int) error {
	if i < 0 || i >= len(b.lines) {
		return fmt.Errorf("set quantity: no line %d", i+1)
	}
	if qty < 1 || qty > MaxQuantity {
		return fmt.Errorf("set quantity %d: must be 1 to %d: %w", qty, MaxQuantity, ErrQuantityLimit)
	}
	old := b.lines[i].qty
	b.lines[i].qty = qty
	if b.Total() > MaxTotal {
		b.lines[i].qty = old
		return fmt.Errorf("set quantity %d: the total would pass %s: %w", qty, MaxTotal, ErrTotalLimit)
	}
	return nil
}

// Increment adds one to line i.
func (b *Basket) Increment(i int) error { return b.SetQuantity(i, b.qty(i)+1) }

// Decrement takes one from line i; a line never goes below 1 (Remove
// takes it away).
func (b *Basket) Decrement(i int) error { return b.SetQuantity(i, b.qty(i)-1) }

func (b *Basket) qty(i int) int {
	if i < 0 || i >= len(b.lines) {
		return 0
	}
	return b.lines[i].qty
}

// Remove takes line i out of the basket.
func (b *Basket) Remove(i int) error {
	if i < 0 || i >= len(b.lines) {
		return fmt.Errorf("remove: no line %d", i+1)
	}
	b.lines = append(b.lines[:i], b.lines[i+1:]...)
	return nil
}

// Clear empties the basket.
func (b *Basket) Clear() { b.lines = nil }

// Len is the number of lines.
func (b *Basket) Len() int { return len(b.lines) }

// Total is the sum of the line totals.
func (b *Basket) Total() Money {
	var t Money
	for _, l := range b.lines {
		t += l.product.Price * Money(l.qty)
	}
	return t
}

// Lines snapshots the basket as order lines.
func (b *Basket) Lines() []Line {
	out := make([]Line, len(b.lines))
	for i, l := range b.lines {
		p := l.product
		barcode := ""
		if l.code != p.SKU && len(p.Barcodes) > 0 {
			barcode = l.code
		} else if len(p.Barcodes) > 0 {
			barcode = p.Barcodes[0]
		}
		out[i] = Line{SKU: p.SKU, Barcode: barcode, NameZH: p.NameZH, NameEN: p.NameEN, Unit: p.Unit,
			UnitPrice: p.Price, Quantity: l.qty, Total: p.Price * Money(l.qty)}
	}
	return out
}
