package pos

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// Product is one thing the shop sells.
type Product struct {
	SKU      string
	Barcodes []string
	NameZH   string
	NameEN   string
	Price    Money
	Unit     string // optional: "bottle", "个", …
}

// Name returns the product's name in a language ("zh" or "en"), falling
// back to the other one.
func (p Product) Name(lang string) string {
	if lang == "zh" && p.NameZH != "" || p.NameEN == "" {
		return p.NameZH
	}
	return p.NameEN
}

// Catalog is the shop's product list, with O(1) lookup by barcode or SKU
// and search by name (either language, or pinyin).
type Catalog struct {
	products []Product
	byCode   map[string]int // barcode, or upper-cased SKU → index
	search   []searchKey
}

type searchKey struct {
	sku, zh, en, pinyin, initials string
}

// requiredColumns must appear in a catalog header.
var requiredColumns = []string{"sku", "barcode", "name_zh", "name_en", "price"}

// LoadCatalogCSV reads a catalog. name is used in error messages, which
// name the line and column and say how to fix it.
func LoadCatalogCSV(name string, r io.Reader) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s is empty; it needs a header line %s", ErrBadCatalog, name, strings.Join(requiredColumns, ","))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, req := range requiredColumns {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: %s line 1: no %q column; the header must name %s", ErrBadCatalog, name, req, strings.Join(requiredColumns, ","))
		}
	}
	unitCol, hasUnit := col["unit"]
	c := &Catalog{byCode: map[string]int{}}
	where := map[string]int{} // code → line it was defined on
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		field := func(k string) string {
			if i := col[k]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(column, format string, args ...any) error {
			return fmt.Errorf("%w: %s line %d, column %q: %s", ErrBadCatalog, name, line, column, fmt.Sprintf(format, args...))
		}
		p := Product{SKU: field("sku"), NameZH: field("name_zh"), NameEN: field("name_en")}
		if hasUnit && unitCol < len(rec) {
			p.Unit = strings.TrimSpace(rec[unitCol])
		}
		if p.SKU == "" {
			return nil, bad("sku", "empty; every product needs a SKU")
		}
		if strings.ContainsAny(p.SKU, " \t") {
			return nil, bad("sku", "%q has spaces; use letters, digits, - or _", p.SKU)
		}
		if p.NameZH == "" && p.NameEN == "" {
			return nil, bad("name_zh", "both names are empty; give the product a name")
		}
		price, err := ParseMoney(field("price"))
		if err != nil {
			return nil, bad("price", "%s", strings.TrimPrefix(err.Error(), ErrBadMoney.Error()+": "))
		}
		if price == 0 {
			return nil, bad("price", "is zero; a product needs a price")
		}
		p.Price = price
		for _, code := range strings.FieldsFunc(field("barcode"), func(r rune) bool { return r == '|' || r == ' ' }) {
			if err := checkBarcode(code); err != nil {
				return nil, bad("barcode", "%v", err)
			}
			p.Barcodes = append(p.Barcodes, code)
		}
		codes := append([]string{strings.ToUpper(p.SKU)}, p.Barcodes...)
		for i, code := range codes {
			if prev, dup := where[code]; dup {
				column := "barcode"
				if i == 0 {
					column = "sku"
				}
				return nil, bad(column, "%q is already used on line %d; each SKU and barcode must be unique", code, prev)
			}
			where[code] = line
			c.byCode[code] = len(c.products)
		}
		c.products = append(c.products, p)
		c.search = append(c.search, makeSearchKey(p))
	}
	if len(c.products) == 0 {
		return nil, fmt.Errorf("%w: %s has no products; add lines after the header", ErrBadCatalog, name)
	}
	return c, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s line %d, column %d: %v; check the quotes on that line", ErrBadCatalog, name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%w: read %s: %v", ErrBadCatalog, name, err)
}

// checkBarcode accepts EAN-13 with a valid check digit, and internal codes
// (letters and digits, not 13 digits long).
func checkBarcode(code string) error {
	allDigits := true
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == '-', r == '_':
			allDigits = false
		default:
			return fmt.Errorf("%q has a %q; barcodes are letters and digits", code, r)
		}
	}
	if allDigits && len(code) == 13 && !ValidEAN13(code) {
		return fmt.Errorf("%q is not a valid EAN-13 (check digit should be %d); re-scan the product", code, ean13Check(code[:12]))
	}
	return nil
}

// ValidEAN13 reports whether code is 13 digits with a correct check digit.
func ValidEAN13(code string) bool {
	if len(code) != 13 || !digits(code) {
		return false
	}
	return int(code[12]-'0') == ean13Check(code[:12])
}

func ean13Check(first12 string) int {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(first12[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

func makeSearchKey(p Product) searchKey {
	args := pinyin.NewArgs()
	full := pinyin.LazyPinyin(p.NameZH, args)
	var initials strings.Builder
	for _, syl := range full {
		if syl != "" {
			initials.WriteByte(syl[0])
		}
	}
	return searchKey{sku: strings.ToLower(p.SKU), zh: p.NameZH, en: strings.ToLower(p.NameEN),
		pinyin: strings.Join(full, ""), initials: initials.String()}
}

// Lookup finds a product by barcode or SKU (SKU in any case).
func (c *Catalog) Lookup(code string) (Product, bool) {
	code = strings.TrimSpace(code)
	i, ok := c.byCode[code]
	if !ok {
		i, ok = c.byCode[strings.ToUpper(code)]
	}
	if !ok {
		return Product{}, false
	}
	return c.products[i], true
}

// Products returns every product, in file order.
func (c *Catalog) Products() []Product { return append([]Product(nil), c.products...) }

// Len is the number of products.
func (c *Catalog) Len() int { return len(c.products) }

// Search finds up to limit products matching query: an exact code first,
// then names, SKUs and pinyin that start with it, then those containing
// it; ties by SKU. Case does not matter.
func (c *Catalog) Search(query string, limit int) []Product {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" || limit <= 0 {
		return nil
	}
	type hit struct {
		rank int
		i    int
	}
	var hits []hit
	exact, hasExact := c.byCode[strings.ToUpper(q)]
	if !hasExact {
		exact, hasExact = c.byCode[q]
	}
	for i, k := range c.search {
		rank := -1
		switch {
		case hasExact && i == exact:
			rank = 0
		case strings.HasPrefix(k.sku, q) || strings.HasPrefix(k.en, q) || strings.HasPrefix(k.zh, q) ||
			strings.HasPrefix(k.initials, q) || strings.HasPrefix(k.pinyin, q) || barcodePrefix(c.products[i], q):
			rank = 1
		case strings.Contains(k.en, q) || strings.Contains(k.zh, q) || strings.Contains(k.sku, q) ||
			strings.Contains(k.initials, q) || strings.Contains(k.pinyin, q):
			rank = 2
		}
		if rank >= 0 {
			hits = append(hits, hit{rank, i})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		return c.products[hits[a].i].SKU < c.products[hits[b].i].SKU
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Product, len(hits))
	for j, h := range hits {
		out[j] = c.products[h.i]
	}
	return out
}

func barcodePrefix(p Product, q string) bool {
	for _, b := range p.Barcodes {
		if strings.HasPrefix(strings.ToLower(b), q) {
			return true
		}
	}
	return false
}
