package pos

import (
	"fmt"
)

// Basket limits: a small shop till refuses absurd baskets, long before
// the providers would (Alipay takes up to ¥100,000,000 in one trade).
const (
	MaxLines    = 200                 // distinct products in one sale
	MaxQuantity = 999                 // of one product
	MaxTotal    = Money(1_000_000_00) // ¥1,000,000.00 for the whole sale
)

// Basket is the sale being rung up: products with quantities, in the
// order they were first added. It is not safe for concurrent use; each
// sale screen owns one.
type Basket struct {
	catalog *Catalog
	lines   []basketLine
}

type basketLine struct {
	product Product
	barcode string // the barcode it was scanned by, else its first barcode
	qty     int
}

// NewBasket starts an empty basket on a catalog.
func NewBasket(c *Catalog) *Basket { return &Basket{catalog: c} }

// Add adds one of the product with this barcode or SKU; a product already
// in the basket gets one more on its line. It returns the index of the
// line. Errors: ErrUnknownProduct, ErrQuantityLimit, ErrLineLimit,
// ErrTotalLimit; a refused add leaves the basket as it was.
func (b *Basket) Add(code string) (int, error) { return b.AddN(code, 1) }

// scannedBarcode is the barcode a line keeps: the one it was scanned by,
// else the product's first.
func scannedBarcode(p Product, code string) string {
	for _, bc := range p.Barcodes {
		if codeKey(bc) == codeKey(code) {
			return bc
		}
	}
	if len(p.Barcodes) > 0 {
		return p.Barcodes[0]
	}
	return ""
}

// SetQuantity sets line i's quantity (1 to MaxQuantity), refusing a
// quantity that would take the total past MaxTotal. Lines count from 0;
// a missing one is ErrNoSuchLine.
func (b *Basket) SetQuantity(i, qty int) error {
	if i < 0 || i >= len(b.lines) {
		return fmt.Errorf("set quantity of line %d of %d: %w", i+1, len(b.lines), ErrNoSuchLine)
	}
	if qty < 1 || qty > MaxQuantity {
		return fmt.Errorf("set quantity of %s to %d: must be 1 to %d: %w", b.lines[i].product.SKU, qty, MaxQuantity, ErrQuantityLimit)
	}
	line, err := b.lines[i].product.Price.Mul(qty)
	if err != nil {
		return fmt.Errorf("set quantity of %s to %d: %w", b.lines[i].product.SKU, qty, err)
	}
	others := b.Total() - b.lineTotal(i)
	if line > MaxTotal || others+line > MaxTotal {
		return fmt.Errorf("set quantity of %s to %d: the total would pass %s: %w", b.lines[i].product.SKU, qty, MaxTotal, ErrTotalLimit)
	}
	b.lines[i].qty = qty
	return nil
}

// Increment adds one to line i.
func (b *Basket) Increment(i int) error { return b.SetQuantity(i, b.Quantity(i)+1) }

// Decrement takes one from line i; a line never goes below 1 (Remove
// takes it away), so decrementing 1 is ErrQuantityLimit.
func (b *Basket) Decrement(i int) error { return b.SetQuantity(i, b.Quantity(i)-1) }

// Quantity is line i's quantity, 0 if there is no such line.
func (b *Basket) Quantity(i int) int {
	if i < 0 || i >= len(b.lines) {
		return 0
	}
	return b.lines[i].qty
}

// Remove takes line i out of the basket (ErrNoSuchLine if there is none).
func (b *Basket) Remove(i int) error {
	if i < 0 || i >= len(b.lines) {
		return fmt.Errorf("remove line %d of %d: %w", i+1, len(b.lines), ErrNoSuchLine)
	}
	b.lines = append(b.lines[:i], b.lines[i+1:]...)
	return nil
}

// Clear empties the basket.
func (b *Basket) Clear() { b.lines = nil }

// Len is the number of lines.
func (b *Basket) Len() int { return len(b.lines) }

// lineTotal cannot overflow: every change is checked against MaxTotal.
func (b *Basket) lineTotal(i int) Money {
	return b.lines[i].product.Price * Money(b.lines[i].qty)
}

// Total is the sum of the line totals; at most MaxTotal.
func (b *Basket) Total() Money {
	var t Money
	for i := range b.lines {
		t += b.lineTotal(i)
	}
	return t
}

// Lines snapshots the basket as order lines; ErrEmptyBasket is for the
// caller (NewOrder) to raise on an empty one.
func (b *Basket) Lines() []Line {
	out := make([]Line, len(b.lines))
	for i, l := range b.lines {
		p := l.product
		out[i] = Line{SKU: p.SKU, Barcode: l.barcode, NameZH: p.NameZH, NameEN: p.NameEN, Unit: p.Unit,
			UnitPrice: p.Price, Quantity: l.qty, Total: b.lineTotal(i)}
	}
	return out
}

// Restore makes the basket hold an order's lines again (the cashier went
// back from paying to edit the sale): each line as it was sold, at its
// price then, whatever the catalog says now.
func (b *Basket) Restore(lines []Line) {
	b.lines = make([]basketLine, 0, len(lines))
	for _, l := range lines {
		p := Product{SKU: l.SKU, NameZH: l.NameZH, NameEN: l.NameEN, Unit: l.Unit, Price: l.UnitPrice}
		if l.Barcode != "" {
			p.Barcodes = []string{l.Barcode}
		}
		b.lines = append(b.lines, basketLine{product: p, barcode: l.Barcode, qty: l.Quantity})
	}
}
