package assets_test

import (
	"bytes"
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
		if p.NameZH == "" || p.NameEN == "" || p.Price <= 0 {
			t.Errorf("product %+v lacks a name or price", p)
		}
		for _, b := range p.Barcodes {
			if len(b) == 13 {
				eans++
				if !pos.ValidEAN13(b) {
					t.Errorf("%s: bad EAN-13 %s", p.SKU, b)
				}
			}
		}
	}
	if eans < 30 {
		t.Errorf("only %d EAN-13 barcodes", eans)
	}
	got := c.Search("nfsq", 5)
	if len(got) != 2 {
		t.Fatalf("pinyin search nfsq = %v, want both 农夫山泉 products", got)
	}
	for _, p := range got {
		if p.NameZH[:len("农夫山泉")] != "农夫山泉" {
			t.Errorf("nfsq found %s", p.NameZH)
		}
	}
}
