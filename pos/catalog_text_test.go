package pos

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const utf8Catalog = "sku,barcode,name_zh,name_en,price,unit\n" +
	"WATER-NFSQ-550,6921168509256,农夫山泉 饮用天然水 550ml,Nongfu Spring Water 550ml,2.00,瓶\n" +
	"TEA-TY-BHC,6901025100024,统一 冰红茶 500ml,Uni-President Iced Black Tea 500ml,3.50,瓶\n"

// Excel on Chinese Windows saves CSV in GBK (code page 936).
func TestCatalogInGBKIsDecoded(t *testing.T) {
	for name, enc := range map[string]func(string) (string, error){
		"GBK":     simplifiedchinese.GBK.NewEncoder().String,
		"GB18030": simplifiedchinese.GB18030.NewEncoder().String,
		"GB18030 with its BOM": func(s string) (string, error) {
			return simplifiedchinese.GB18030.NewEncoder().String("\ufeff" + s)
		},
	} {
		raw, err := enc(utf8Catalog)
		if err != nil {
			t.Fatal(err)
		}
		c, err := LoadCatalogCSV("shop.csv", strings.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, ok := c.Lookup("6921168509256")
		if !ok || p.NameZH != "农夫山泉 饮用天然水 550ml" || p.Unit != "瓶" || p.SKU != "WATER-NFSQ-550" {
			t.Errorf("%s: product %+v, want the Chinese name read right", name, p)
		}
	}
}

// Excel's "CSV UTF-8" starts with a byte-order mark and may quote the
// header: the mark is skipped, not read as part of the first cell.
func TestCatalogUTF8BOMIsSkipped(t *testing.T) {
	raw := "\ufeff\"sku\",\"barcode\",\"name_zh\",\"name_en\",\"price\"\n\"A\",\"\",\"甲\",\"Alpha\",\"1.00\"\n"
	c, err := LoadCatalogCSV("shop.csv", strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Lookup("A"); !ok || p.NameZH != "甲" {
		t.Errorf("Lookup(A) = %+v, %v", p, ok)
	}
}

func TestCatalogEncodingRefused(t *testing.T) {
	for name, c := range map[string]struct{ raw, says string }{
		"UTF-16":           {"\xff\xfes\x00k\x00u\x00", `shop.csv: is UTF-16 text; save it as "CSV UTF-8"`},
		"neither encoding": {"sku,barcode,name_zh,name_en,price\nA,,\x80\xff\xfe,Alpha,1.00\n", `shop.csv: is neither UTF-8 nor GBK/GB18030 text; save it as "CSV UTF-8"`},
	} {
		_, err := LoadCatalogCSV("shop.csv", strings.NewReader(c.raw))
		if !errors.Is(err, ErrBadCatalog) || !strings.HasPrefix(err.Error(), c.says) {
			t.Errorf("%s: %v, want %q", name, err, c.says)
		}
	}
}

func TestCatalogLineBreakInQuotesRefused(t *testing.T) {
	for name, c := range map[string]struct{ raw, says string }{
		"a name over two lines": {
			"sku,barcode,name_zh,name_en,price\nA,,甲,Alpha,1.00\nB,,乙,\"Beta\nsecond line\",2.00\n",
			`shop.csv line 3, column "name_en": has a line break inside quotes`},
		"a missing closing quote": {
			"sku,barcode,name_zh,name_en,price\nA,,\"甲,Alpha,1.00\nB,,乙,Beta,2.00\nC,,\"丙\",Gamma,3.00\n",
			`shop.csv line 2: a quote opened on this line is still open on line 4; close it`},
		"a quote left open to the end": {
			"sku,barcode,name_zh,name_en,price\nA,,\"甲,Alpha,1.00\nB,,乙,Beta,2.00\n",
			`shop.csv line 2: a quote opened on this line is still open on line 3; close it`},
	} {
		_, err := LoadCatalogCSV("shop.csv", strings.NewReader(c.raw))
		if !errors.Is(err, ErrBadCatalog) || !strings.HasPrefix(err.Error(), c.says) {
			t.Errorf("%s: %v, want %q…", name, err, c.says)
		}
	}
}
