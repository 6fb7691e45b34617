package pos

import (
	"errors"
	"strings"
	"testing"
)

const sampleCSV = `sku,barcode,name_zh,name_en,price,unit
WATER,6921168509256,农夫山泉 550ml,Spring Water 550ml,2.00,瓶
NOODLE,6902927810011|NOODLE-INT,康师傅 红烧牛肉面,Braised Beef Noodles,4.5,袋
EGG,,鸡蛋,Egg,¥1.20,个
`

func loadSample(t *testing.T) *Catalog {
	t.Helper()
	c, err := LoadCatalogCSV("sample.csv", strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadCatalog(t *testing.T) {
	c := loadSample(t)
	if c.Len() != 3 {
		t.Fatalf("Len = %d", c.Len())
	}
	for code, sku := range map[string]string{"6921168509256": "WATER", "NOODLE-INT": "NOODLE", "egg": "EGG", "Water": "WATER"} {
		p, ok := c.Lookup(code)
		if !ok || p.SKU != sku {
			t.Errorf("Lookup(%q) = %s, %v; want %s", code, p.SKU, ok, sku)
		}
	}
	if p, _ := c.Lookup("NOODLE"); p.Price != 450 || p.Unit != "袋" || len(p.Barcodes) != 2 {
		t.Errorf("NOODLE = %+v", p)
	}
	if _, ok := c.Lookup("0000000000000"); ok {
		t.Error("found an unknown code")
	}
}

func TestCatalogErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "is empty"},
		{"missing column", "sku,name_zh,name_en,price\n", `no "barcode" column`},
		{"bad price", "sku,barcode,name_zh,name_en,price\nA,,甲,A,12.345\n", `line 2, column "price": "12.345" has more than two decimals`},
		{"bad ean", "sku,barcode,name_zh,name_en,price\nA,6921168509257,甲,A,1\n", `line 2, column "barcode": "6921168509257" is not a valid EAN-13 (check digit should be 6)`},
		{"duplicate sku", "sku,barcode,name_zh,name_en,price\nA,,甲,A,1\nB,,乙,B,1\na,,丙,C,1\n", `line 4, column "sku": "A" is already used on line 2`},
		{"duplicate barcode", "sku,barcode,name_zh,name_en,price\nA,X1,甲,A,1\nB,X1,乙,B,1\n", `line 3, column "barcode": "X1" is already used on line 2`},
		{"no name", "sku,barcode,name_zh,name_en,price\nA,,,,1\n", "both names are empty"},
		{"zero price", "sku,barcode,name_zh,name_en,price\nA,,甲,A,0\n", "is zero"},
		{"bad quotes", "sku,barcode,name_zh,name_en,price\nA,\"x,甲,A,1\n", "check the quotes"},
		{"no products", "sku,barcode,name_zh,name_en,price\n", "has no products"},
	}
	for _, tt := range tests {
		_, err := LoadCatalogCSV("shop.csv", strings.NewReader(tt.csv))
		if err == nil || !errors.Is(err, ErrBadCatalog) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "shop.csv") {
			t.Errorf("%s: error %v, want one naming shop.csv and %q", tt.name, err, tt.want)
		}
	}
}

func TestCatalogSearch(t *testing.T) {
	c := loadSample(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"noodle", []string{"NOODLE"}},
		{"6921168509256", []string{"WATER"}},
		{"69", []string{"NOODLE", "WATER"}},
		{"nfsq", []string{"WATER"}},
		{"kangshifu", []string{"NOODLE"}},
		{"牛肉", []string{"NOODLE"}},
		{"BEEF", []string{"NOODLE"}},
		{"e", []string{"EGG", "NOODLE", "WATER"}},
		{"zzz", nil},
		{"", nil},
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
	if got := c.Search("e", 1); len(got) != 1 {
		t.Errorf("limit ignored: %d", len(got))
	}
}
