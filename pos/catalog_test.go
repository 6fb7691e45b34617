package pos

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

const sampleCSV = `sku,barcode,name_zh,name_en,price,unit
WATER,6921168509256,农夫山泉 550ml,Spring Water 550ml,2.00,瓶
NOODLE,6902927810011|NOODLE-INT,康师傅 红烧牛肉面,Braised Beef Noodles,4.5,袋
EGG,,鸡蛋,Egg,¥1.20,个
WALL,6920874301017 038000138416,长城 干红葡萄酒,Great Wall Red Wine,59,瓶
GUM,96385074,绿箭 口香糖,Doublemint Gum,1.50,条
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
	if c.Len() != 5 {
		t.Fatalf("Len = %d, want 5", c.Len())
	}
	want := Product{SKU: "NOODLE", Barcodes: []string{"6902927810011", "NOODLE-INT"}, NameZH: "康师傅 红烧牛肉面",
		NameEN: "Braised Beef Noodles", Price: 450, Unit: "袋"}
	got, ok := c.Lookup("NOODLE")
	if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Lookup(NOODLE) = %+v, %v\nwant %+v", got, ok, want)
	}
	if got := c.Products(); len(got) != 5 || got[0].SKU != "WATER" || got[4].SKU != "GUM" {
		t.Errorf("Products() not in file order: %v", got)
	}
}

func TestLookup(t *testing.T) {
	c := loadSample(t)
	tests := []struct {
		code, want string // want "" = not found
	}{
		{"6921168509256", "WATER"},
		{" 6921168509256\n", "WATER"},
		{"NOODLE-INT", "NOODLE"},
		{"noodle-int", "NOODLE"},
		{"6902927810011", "NOODLE"},
		{"egg", "EGG"},
		{"Water", "WATER"},
		{"038000138416", "WALL"},  // UPC-A as printed
		{"0038000138416", "WALL"}, // the same label read as EAN-13
		{"96385074", "GUM"},
		{"0000000000000", ""},
		{"692116850925", ""}, // a read cut short
		{"", ""},
		{"WAT", ""},
	}
	for _, tt := range tests {
		p, ok := c.Lookup(tt.code)
		if ok != (tt.want != "") || p.SKU != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.code, p.SKU, ok, tt.want)
		}
	}
}

func TestLoadCatalogFlexibleLayout(t *testing.T) {
	csv := "\ufeffPrice, Name_EN ,extra,SKU,barcode,name_zh\n" +
		"3,Tea,x,T1,,茶\n" +
		"\n" +
		",,,,,\n" +
		"\"1.50\",\"Gum, mint\",,G1,\"A1 | B2\",口香糖\n"
	c, err := LoadCatalogCSV("shop.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := c.Lookup("b2")
	if c.Len() != 2 || !ok || g.NameEN != "Gum, mint" || g.Price != 150 || g.Unit != "" || strings.Join(g.Barcodes, ",") != "A1,B2" {
		t.Errorf("Len %d, G1 = %+v, %v", c.Len(), g, ok)
	}
	if tea, _ := c.Lookup("T1"); tea.Price != 300 || tea.Barcodes != nil {
		t.Errorf("T1 = %+v", tea)
	}
}

func TestCatalogErrors(t *testing.T) {
	const h = "sku,barcode,name_zh,name_en,price\n"
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", `shop.csv: the file is empty; start it with the header line sku,barcode,name_zh,name_en,price`},
		{"missing column", "sku,name_zh,name_en,price\n", `shop.csv line 1: the header has no "barcode" column; it must name sku,barcode,name_zh,name_en,price`},
		{"column twice", "sku,barcode,name_zh,name_en,price,SKU\n", `shop.csv line 1: the header names "sku" twice; keep one`},
		{"no products", h, `shop.csv: the file has no products; add one line per product after the header`},
		{"bad price", h + "A,,甲,A,1\nB,,乙,B,12.345\n", `shop.csv line 3, column "price": "12.345" has more than two decimals; write it like 12.35`},
		{"negative price", h + "A,,甲,A,-2\n", `shop.csv line 2, column "price": "-2" is negative; an amount is 0 or more`},
		{"empty price", h + "A,,甲,A,\n", `shop.csv line 2, column "price": the amount is empty; write it like 12.50`},
		{"short line", h + "A,,甲\n", `shop.csv line 2, column "price": the amount is empty; write it like 12.50`},
		{"zero price", h + "A,,甲,A,0\n", `shop.csv line 2, column "price": is zero; a product needs a price, like 2.50`},
		{"absurd price", h + "A,,甲,A,2000000\n", `shop.csv line 2, column "price": ¥2000000.00 is more than a whole basket may cost (¥1000000.00); check the decimal point`},
		{"bad ean13", h + "A,6921168509257,甲,A,1\n", `shop.csv line 2, column "barcode": "6921168509257" is not a valid EAN-13 (its check digit should be 6); fix the code, or give your own code another length or a letter`},
		{"bad ean8", h + "A,20000001,甲,A,1\n", `shop.csv line 2, column "barcode": "20000001" is not a valid EAN-8 (its check digit should be 4)`},
		{"bad char", h + "A,69/1,甲,A,1\n", `shop.csv line 2, column "barcode": "69/1" has a '/'; a barcode is letters, digits, - and _`},
		{"barcode twice", h + "A,X1|x1,甲,A,1\n", `shop.csv line 2, column "barcode": "x1" is listed twice on this line; keep one`},
		{"no sku", h + ",,甲,A,1\n", `shop.csv line 2, column "sku": is empty; every product needs a SKU`},
		{"sku with space", h + "A B,,甲,A,1\n", `shop.csv line 2, column "sku": "A B" has a space or |; use letters, digits, - or _`},
		{"no name", h + "A,,,,1\n", `shop.csv line 2, column "name_zh": both names are empty; give the product a name in name_zh or name_en`},
		{"duplicate sku", h + "A,,甲,A,1\nB,,乙,B,1\na,,丙,C,1\n", `shop.csv line 4, column "sku": SKU "a" is already used on line 2; each SKU and barcode must be unique, so change one of the two lines`},
		{"duplicate barcode", h + "A,X1,甲,A,1\nB,X1,乙,B,1\n", `shop.csv line 3, column "barcode": barcode "X1" is already used on line 2`},
		{"barcode is another sku", h + "A,,甲,A,1\nB,a,乙,B,1\n", `shop.csv line 3, column "barcode": barcode "a" is already used on line 2`},
		{"upc and its ean13", h + "A,038000138416,甲,A,1\nB,0038000138416,乙,B,1\n", `shop.csv line 3, column "barcode": barcode "0038000138416" is already used on line 2`},
		{"bad quotes", h + "A,\"x,甲,A,1\n", `shop.csv line 2: extraneous or missing " in quoted-field`},
		{"bare quote", h + "A,x\"y,甲,A,1\n", `check the quotes on that line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalogCSV("shop.csv", strings.NewReader(tt.csv))
			if err == nil {
				t.Fatalf("loaded; want error %q", tt.want)
			}
			if !errors.Is(err, ErrBadCatalog) {
				t.Errorf("error %v does not match ErrBadCatalog", err)
			}
			var ce *CatalogError
			if !errors.As(err, &ce) || ce.File != "shop.csv" {
				t.Errorf("error %v is not a *CatalogError for shop.csv", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestCatalogReadError(t *testing.T) {
	_, err := LoadCatalogCSV("shop.csv", iotest.ErrReader(errors.New("disk gone")))
	if err == nil || !strings.Contains(err.Error(), "shop.csv") || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("error %v, want one naming shop.csv and the cause", err)
	}
}

func TestCatalogSearch(t *testing.T) {
	c := loadSample(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"noodle", []string{"NOODLE"}},                           // SKU prefix
		{"6921168509256", []string{"WATER"}},                     // exact barcode
		{"0038000138416", []string{"WALL"}},                      // exact, as EAN-13 of a UPC-A
		{"69", []string{"NOODLE", "WALL", "WATER"}},              // barcode prefix
		{"96385", []string{"GUM"}},                               // barcode prefix
		{"nfsq", []string{"WATER"}},                              // pinyin initials
		{"NFSQ", []string{"WATER"}},                              // any case
		{"nongfu", []string{"WATER"}},                            // whole syllables
		{"nongfushanquan", []string{"WATER"}},                    // the whole name
		{"nfshanq", []string{"WATER"}},                           // a mix, cut short
		{"kangshifu", []string{"NOODLE"}},                        //
		{"hsnrm", []string{"NOODLE"}},                            // initials inside the name
		{"chcheng", []string{"WALL"}},                            // 长 has two readings: chang …
		{"zhangcheng", []string{"WALL"}},                         // … and zhang
		{"cc", []string{"WALL"}},                                 //
		{"lj", []string{"GUM"}},                                  // 绿: lv …
		{"lvjian", []string{"GUM"}},                              //
		{"lujian", []string{"GUM"}},                              // … or lu
		{"牛肉", []string{"NOODLE"}},                               // Chinese substring
		{"康师傅红烧", []string{"NOODLE"}},                            // spaces do not matter
		{"BEEF", []string{"NOODLE"}},                             // English substring
		{"braisedbeef", []string{"NOODLE"}},                      //
		{"great wall", []string{"WALL"}},                         //
		{"ｎｆｓｑ", []string{"WATER"}},                              // full-width letters
		{"e", []string{"EGG", "GUM", "NOODLE", "WALL", "WATER"}}, // prefix (EGG) before substring, then by SKU
		{"w", []string{"WALL", "WATER"}},
		{"zzz", nil},
		{"", nil},
		{"   ", nil},
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

func TestCatalogSearchExactCodeFirst(t *testing.T) {
	// "AB" is the exact SKU of the last product and a prefix of two others.
	csv := "sku,barcode,name_zh,name_en,price\nAB1,,甲,A1,1\nAB2,,乙,A2,1\nZZ,AB,丙,C,1\n"
	c, err := LoadCatalogCSV("x.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Search("ab", 10) {
		got = append(got, p.SKU)
	}
	if want := "ZZ,AB1,AB2"; strings.Join(got, ",") != want {
		t.Errorf("Search(ab) = %v, want %s", got, want)
	}
	if got := c.Search("ab", 1); len(got) != 1 || got[0].SKU != "ZZ" {
		t.Errorf("limit 1: %v", got)
	}
	if got := c.Search("ab", 0); got != nil {
		t.Errorf("limit 0: %v", got)
	}
}

func TestMatchPinyin(t *testing.T) {
	syl := [][]string{{"nong"}, {"fu"}, {"shan"}, {"quan"}}
	tests := []struct {
		q              string
		atStart, found bool
	}{
		{"n", true, true}, {"nfsq", true, true}, {"nongfushanquan", true, true}, {"nongf", true, true},
		{"nfshanquan", true, true}, {"nfsqx", true, false}, {"fsq", true, false}, {"fsq", false, true},
		{"shq", false, true}, {"sq", false, true}, {"quanx", false, false}, {"ongfu", false, false},
		{"nfq", false, false},
	}
	for _, tt := range tests {
		if got := matchPinyin(syl, tt.q, tt.atStart); got != tt.found {
			t.Errorf("matchPinyin(农夫山泉, %q, atStart=%v) = %v, want %v", tt.q, tt.atStart, got, tt.found)
		}
	}
	if matchPinyin(nil, "a", false) || matchPinyin(syl, "", false) {
		t.Error("empty name or query matched")
	}
}

func BenchmarkSearch(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("sku,barcode,name_zh,name_en,price\n")
	names := []string{"农夫山泉 饮用天然水", "康师傅 红烧牛肉面", "长城 干红葡萄酒", "绿箭 口香糖", "乐事 薯片 黄瓜味"}
	for i := range 2000 {
		fmt.Fprintf(&sb, "S%04d,,%s %d,Item %d,1\n", i, names[i%len(names)], i, i)
	}
	c, err := LoadCatalogCSV("big.csv", strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		c.Search("nfsq", 8)
	}
}
