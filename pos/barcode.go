package pos

import (
	"fmt"
	"strings"
)

// GTIN barcodes (EAN-13, EAN-8, UPC-A) end in a check digit; a catalog
// code of 8, 12 or 13 digits is taken for one of them and must carry a
// valid check digit, so a typo in the catalog never makes a product
// unscannable. Other codes (letters, or other lengths) are the shop's own.

// ValidEAN13 reports whether code is 13 digits with a correct check digit.
func ValidEAN13(code string) bool { return len(code) == 13 && validGTIN(code) }

// ValidEAN8 reports whether code is 8 digits with a correct check digit.
func ValidEAN8(code string) bool { return len(code) == 8 && validGTIN(code) }

// ValidUPCA reports whether code is 12 digits with a correct check digit.
func ValidUPCA(code string) bool { return len(code) == 12 && validGTIN(code) }

func validGTIN(code string) bool {
	return digits(code) && int(code[len(code)-1]-'0') == gtinCheck(code[:len(code)-1])
}

// gtinCheck computes the GS1 check digit of a code without it: from the
// right, digits weigh 3, 1, 3, 1, …
func gtinCheck(body string) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// gtinKind names the GTIN a code of n digits is taken for, or "".
func gtinKind(n int) string {
	switch n {
	case 8:
		return "EAN-8"
	case 12:
		return "UPC-A"
	case 13:
		return "EAN-13"
	}
	return ""
}

// checkBarcode says what is wrong with a catalog barcode, as the end of a
// sentence, or returns nil.
func checkBarcode(code string) error {
	if len(code) > 64 {
		return fmt.Errorf("%q is longer than 64 characters; shorten it", code)
	}
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == '-', r == '_':
		default:
			return fmt.Errorf("%q has a %q; a barcode is letters, digits, - and _", code, r)
		}
	}
	if kind := gtinKind(len(code)); kind != "" && digits(code) && !validGTIN(code) {
		return fmt.Errorf("%q is not a valid %s (its check digit should be %d); fix the code, or give your own code another length or a letter",
			code, kind, gtinCheck(code[:len(code)-1]))
	}
	return nil
}

// codeKey is the key a barcode or SKU is indexed and looked up by: upper
// case, and a UPC-A as the EAN-13 a scanner may report for it (a leading
// 0), so both reads of one label find the same product.
func codeKey(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) == 12 && digits(code) {
		return "0" + code
	}
	return code
}
