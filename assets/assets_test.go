package assets_test

import (
	"bytes"
	"strings"
	"testing"

	"qrtill/assets"
	"qrtill/pos"
)

func TestDemoCatalog(t *testing.T) {
	c, err := pos.LoadCatalogCSV("catalog.csv", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 30 {
		t.Fatalf("demo catalog has %d products, want at least 30", c.Len())
	}
	eans := 0
	for _, p := range c.Products() {
		if p.NameZH == "" || p.NameEN == "" || p.Unit == "" || p.Price <= 0 || p.Price > 100_00 {
			t.Errorf("%s: want both names, a unit and a small-shop price, got %+v", p.SKU, p)
		}
		if len(p.Barcodes) == 0 {
			t.Errorf("%s has no barcode", p.SKU)
		}
		for _, b := range p.Barcodes {
			switch len(b) {
			case 13:
				eans++
				if !pos.ValidEAN13(b) {
					t.Errorf("%s: bad EAN-13 %s", p.SKU, b)
				}
				if !strings.HasPrefix(b, "69") {
					t.Errorf("%s: EAN-13 %s is not from China (69…)", p.SKU, b)
				}
			case 12:
				if !pos.ValidUPCA(b) {
					t.Errorf("%s: bad UPC-A %s", p.SKU, b)
				}
			case 8:
				if !pos.ValidEAN8(b) || b[0] != '2' {
					t.Errorf("%s: %s is not an in-store EAN-8 (2…, valid check digit)", p.SKU, b)
				}
			default:
				t.Errorf("%s: barcode %s is not an EAN-13, EAN-8 or UPC-A", p.SKU, b)
			}
			if got, ok := c.Lookup(b); !ok || got.SKU != p.SKU {
				t.Errorf("Lookup(%s) = %s, %v; want %s", b, got.SKU, ok, p.SKU)
			}
		}
	}
	if eans < 30 {
		t.Errorf("only %d EAN-13 barcodes", eans)
	}
}

// The README and the sale screen golden rely on these searches.
func TestDemoCatalogSearch(t *testing.T) {
	c, err := pos.LoadCatalogCSV("catalog.csv", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"nfsq", []string{"TEA-NFSQ-DFSY", "WATER-NFSQ-550"}},
		{"6921168509256", []string{"WATER-NFSQ-550"}},
		{"ksf", []string{"NOODLE-KSF-HS", "TEA-KSF-BHC", "TEA-KSF-LC"}},
		{"kele", []string{"COLA-KKKL-330"}},
		{"lsspian", []string{"CHIPS-LS-70", "CHIPS-LS-CUC"}},
		{"0038000138416", []string{"CHIPS-PK-110"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range c.Search(tt.q, 10) {
			got = append(got, p.SKU)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}
