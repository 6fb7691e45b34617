package pos

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Product is one thing the shop sells.
type Product struct {
	SKU      string
	Barcodes []string // may be empty
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
// and search by name (either language, or pinyin). It is read-only after
// loading and safe for concurrent use.
type Catalog struct {
	products []Product
	byCode   map[string]int // codeKey(barcode or SKU) → index
	search   []searchKey
}

// CatalogColumns are the columns a catalog header must name, in any
// order; "unit" is optional and other columns are ignored.
var CatalogColumns = []string{"sku", "barcode", "name_zh", "name_en", "price"}

// CatalogError is a problem in a catalog file, in words a shop owner can
// act on. It matches ErrBadCatalog.
type CatalogError struct {
	File   string
	Line   int    // 1-based; 0 for the file as a whole
	Column string // header name of the column, or "" for the whole line
	Msg    string // what is wrong and how to fix it
}

// Error reads like `catalog.csv line 7, column "price": "12.345" has more
// than two decimals; write it like 12.35`.
func (e *CatalogError) Error() string {
	switch {
	case e.Line == 0:
		return e.File + ": " + e.Msg
	case e.Column == "":
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s line %d, column %q: %s", e.File, e.Line, e.Column, e.Msg)
}

// Unwrap makes errors.Is(err, ErrBadCatalog) true.
func (e *CatalogError) Unwrap() error { return ErrBadCatalog }

// LoadCatalogCSV reads a catalog: a header row naming at least
// CatalogColumns, then one product a line. A barcode cell may hold several
// codes separated by "|" or spaces, or none. name is the file name used
// in errors, which give the line, the column and the fix. SKUs and
// barcodes must be unique (SKUs regardless of case). The file is UTF-8
// (a byte-order mark is skipped) or, as Excel saves CSV on Chinese
// Windows, GBK/GB18030; anything else is refused.
func LoadCatalogCSV(name string, r io.Reader) (*Catalog, error) {
	text, err := catalogText(name, r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &CatalogError{File: name, Msg: "the file is empty; start it with the header line " + strings.Join(CatalogColumns, ",")}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col, err := catalogHeader(name, header)
	if err != nil {
		return nil, err
	}
	c := &Catalog{byCode: map[string]int{}}
	defined := map[string]int{} // codeKey → line it was defined on
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if err := oneLine(name, rec, header, cr); err != nil {
			return nil, err
		}
		p, perr := parseProduct(rec, col)
		if perr != nil {
			perr.File, perr.Line = name, line
			return nil, perr
		}
		for i, code := range append([]string{p.SKU}, p.Barcodes...) {
			key := codeKey(code)
			if prev, dup := defined[key]; dup {
				column, what := "barcode", "barcode"
				if i == 0 {
					column, what = "sku", "SKU"
				}
				return nil, &CatalogError{File: name, Line: line, Column: column,
					Msg: fmt.Sprintf("%s %q is already used on line %d; each SKU and barcode must be unique, so change one of the two lines", what, code, prev)}
			}
			defined[key] = line
			c.byCode[key] = len(c.products)
		}
		c.products = append(c.products, p)
		c.search = append(c.search, makeSearchKey(p))
	}
	if len(c.products) == 0 {
		return nil, &CatalogError{File: name, Msg: "the file has no products; add one line per product after the header"}
	}
	return c, nil
}

// catalogHeader maps column names to their positions.
func catalogHeader(name string, header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && h != "" {
			return nil, &CatalogError{File: name, Line: 1, Msg: fmt.Sprintf("the header names %q twice; keep one", h)}
		}
		col[h] = i
	}
	for _, req := range CatalogColumns {
		if _, ok := col[req]; !ok {
			return nil, &CatalogError{File: name, Line: 1,
				Msg: fmt.Sprintf("the header has no %q column; it must name %s", req, strings.Join(CatalogColumns, ","))}
		}
	}
	return col, nil
}

// oneLine refuses a value that runs over a line break: a quoted name
// with a newline, or a missing closing quote swallowing the next lines.
func oneLine(name string, rec, header []string, cr *csv.Reader) error {
	for i, f := range rec {
		if !strings.ContainsAny(f, "\r\n") {
			continue
		}
		line, _ := cr.FieldPos(i)
		column := ""
		if i < len(header) {
			column = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
		}
		return &CatalogError{File: name, Line: line, Column: column,
			Msg: "has a line break inside quotes; keep each product on one line (is a closing quote missing?)"}
	}
	return nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// parseProduct reads one record; the error lacks File and Line.
func parseProduct(rec []string, col map[string]int) (Product, *CatalogError) {
	field := func(k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	bad := func(column, format string, args ...any) *CatalogError {
		return &CatalogError{Column: column, Msg: fmt.Sprintf(format, args...)}
	}
	p := Product{SKU: field("sku"), NameZH: field("name_zh"), NameEN: field("name_en"), Unit: field("unit")}
	switch {
	case p.SKU == "":
		return p, bad("sku", "is empty; every product needs a SKU")
	case strings.ContainsAny(p.SKU, " \t|"):
		return p, bad("sku", "%q has a space or |; use letters, digits, - or _", p.SKU)
	case len(p.SKU) > 64:
		return p, bad("sku", "%q is longer than 64 characters; shorten it", p.SKU)
	case p.NameZH == "" && p.NameEN == "":
		return p, bad("name_zh", "both names are empty; give the product a name in name_zh or name_en")
	}
	price, err := ParseMoney(field("price"))
	if err != nil {
		return p, bad("price", "%v", err)
	}
	if price == 0 {
		return p, bad("price", "is zero; a product needs a price, like 2.50")
	}
	if price > MaxTotal {
		return p, bad("price", "%s is more than a whole basket may cost (%s); check the decimal point", price, MaxTotal)
	}
	p.Price = price
	seen := map[string]bool{}
	for _, code := range strings.FieldsFunc(field("barcode"), func(r rune) bool { return r == '|' || r == ' ' || r == '\t' }) {
		if err := checkBarcode(code); err != nil {
			return p, bad("barcode", "%v", err)
		}
		if seen[codeKey(code)] {
			return p, bad("barcode", "%q is listed twice on this line; keep one", code)
		}
		seen[codeKey(code)] = true
		p.Barcodes = append(p.Barcodes, code)
	}
	return p, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.StartLine != pe.Line {
		return &CatalogError{File: name, Line: pe.StartLine,
			Msg: fmt.Sprintf("a quote opened on this line is still open on line %d; close it, keeping each product on one line", pe.Line)}
	}
	if errors.As(err, &pe) {
		return &CatalogError{File: name, Line: pe.Line,
			Msg: fmt.Sprintf("%v at character %d; check the quotes on that line", pe.Err, pe.Column)}
	}
	return fmt.Errorf("read catalog %s: %w", name, err)
}

// Lookup finds a product by barcode or SKU, in any case. A UPC-A label
// is found under its 12 digits or as the 13-digit EAN a scanner may send.
func (c *Catalog) Lookup(code string) (Product, bool) {
	i, ok := c.byCode[codeKey(code)]
	if !ok {
		return Product{}, false
	}
	return c.products[i], true
}

// Products returns every product, in file order.
func (c *Catalog) Products() []Product { return append([]Product(nil), c.products...) }

// Len is the number of products.
func (c *Catalog) Len() int { return len(c.products) }
