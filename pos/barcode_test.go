package pos

import (
	"strings"
	"testing"
)

func TestGTINCheckDigits(t *testing.T) {
	tests := []struct {
		code              string
		ean13, ean8, upca bool
	}{
		{"6921168509256", true, false, false}, // 农夫山泉 550ml
		{"6921168509257", false, false, false},
		{"4006381333931", true, false, false},
		{"0038000138416", true, false, false}, // a UPC-A read as EAN-13
		{"038000138416", false, false, true},
		{"038000138417", false, false, false},
		{"96385074", false, true, false},
		{"96385075", false, false, false},
		{"20000004", false, true, false},
		{"692116850925a", false, false, false},
		{"", false, false, false},
		{"69211685092560", false, false, false},
	}
	for _, tt := range tests {
		if got := ValidEAN13(tt.code); got != tt.ean13 {
			t.Errorf("ValidEAN13(%q) = %v, want %v", tt.code, got, tt.ean13)
		}
		if got := ValidEAN8(tt.code); got != tt.ean8 {
			t.Errorf("ValidEAN8(%q) = %v, want %v", tt.code, got, tt.ean8)
		}
		if got := ValidUPCA(tt.code); got != tt.upca {
			t.Errorf("ValidUPCA(%q) = %v, want %v", tt.code, got, tt.upca)
		}
	}
}

func TestCheckBarcode(t *testing.T) {
	tests := []struct {
		code, want string // want "" = accepted
	}{
		{"6921168509256", ""},
		{"038000138416", ""},
		{"96385074", ""},
		{"NOODLE-INT", ""},
		{"a_1", ""},
		{"12345", ""},          // the shop's own code: no check digit
		{"123456789", ""},      // 9 digits: not a GTIN length
		{"12345678901234", ""}, // 14 digits: not checked
		{"6921168509257", `"6921168509257" is not a valid EAN-13 (its check digit should be 6)`},
		{"038000138417", `"038000138417" is not a valid UPC-A (its check digit should be 6)`},
		{"96385075", `"96385075" is not a valid EAN-8 (its check digit should be 4)`},
		{"69/1", `"69/1" has a '/'; a barcode is letters, digits, - and _`},
		{"农夫", `"农夫" has a '农'`},
		{strings.Repeat("A", 65), "is longer than 64 characters"},
	}
	for _, tt := range tests {
		err := checkBarcode(tt.code)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkBarcode(%q) = %v, want accepted", tt.code, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("checkBarcode(%q) = %v, want %q", tt.code, err, tt.want)
		}
	}
}

func TestCodeKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"6921168509256", "6921168509256"},
		{"038000138416", "0038000138416"},
		{" noodle-int ", "NOODLE-INT"},
		{"96385074", "96385074"},
	}
	for _, tt := range tests {
		if got := codeKey(tt.in); got != tt.want {
			t.Errorf("codeKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
