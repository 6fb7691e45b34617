package pos

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestBasket(t *testing.T) {
	b := NewBasket(loadSample(t))
	steps := []struct {
		name    string
		do      func() error
		wantErr error
		want    string // the basket after the step: SKU×qty=line total …; total
	}{
		{"scan water", func() error { _, err := b.Add("6921168509256"); return err }, nil, "WATER×1=¥2.00; ¥2.00"},
		{"noodles by lower-case SKU", func() error { _, err := b.Add(" noodle "); return err }, nil, "WATER×1=¥2.00 NOODLE×1=¥4.50; ¥6.50"},
		{"water again by SKU", func() error {
			i, err := b.Add("WATER")
			if i != 0 {
				return fmt.Errorf("line %d, want 0", i)
			}
			return err
		}, nil, "WATER×2=¥4.00 NOODLE×1=¥4.50; ¥8.50"},
		{"noodles by internal code", func() error { _, err := b.Add("NOODLE-INT"); return err }, nil, "WATER×2=¥4.00 NOODLE×2=¥9.00; ¥13.00"},
		{"unknown", func() error { _, err := b.Add("nothing"); return err }, ErrUnknownProduct, "WATER×2=¥4.00 NOODLE×2=¥9.00; ¥13.00"},
		{"set 5", func() error { return b.SetQuantity(1, 5) }, nil, "WATER×2=¥4.00 NOODLE×5=¥22.50; ¥26.50"},
		{"set 0", func() error { return b.SetQuantity(1, 0) }, ErrQuantityLimit, "WATER×2=¥4.00 NOODLE×5=¥22.50; ¥26.50"},
		{"set too many", func() error { return b.SetQuantity(0, MaxQuantity+1) }, ErrQuantityLimit, "WATER×2=¥4.00 NOODLE×5=¥22.50; ¥26.50"},
		{"set the most", func() error { return b.SetQuantity(0, MaxQuantity) }, nil, "WATER×999=¥1998.00 NOODLE×5=¥22.50; ¥2020.50"},
		{"one more than the most", func() error { return b.Increment(0) }, ErrQuantityLimit, "WATER×999=¥1998.00 NOODLE×5=¥22.50; ¥2020.50"},
		{"scan more than the most", func() error { _, err := b.Add("6921168509256"); return err }, ErrQuantityLimit, "WATER×999=¥1998.00 NOODLE×5=¥22.50; ¥2020.50"},
		{"decrement", func() error { return b.Decrement(0) }, nil, "WATER×998=¥1996.00 NOODLE×5=¥22.50; ¥2018.50"},
		{"set 1", func() error { return b.SetQuantity(1, 1) }, nil, "WATER×998=¥1996.00 NOODLE×1=¥4.50; ¥2000.50"},
		{"below 1", func() error { return b.Decrement(1) }, ErrQuantityLimit, "WATER×998=¥1996.00 NOODLE×1=¥4.50; ¥2000.50"},
		{"increment", func() error { return b.Increment(1) }, nil, "WATER×998=¥1996.00 NOODLE×2=¥9.00; ¥2005.00"},
		{"no such line", func() error { return b.Increment(7) }, ErrNoSuchLine, "WATER×998=¥1996.00 NOODLE×2=¥9.00; ¥2005.00"},
		{"remove", func() error { return b.Remove(0) }, nil, "NOODLE×2=¥9.00; ¥9.00"},
		{"remove missing", func() error { return b.Remove(5) }, ErrNoSuchLine, "NOODLE×2=¥9.00; ¥9.00"},
		{"clear", func() error { b.Clear(); return nil }, nil, "; ¥0.00"},
	}
	for _, st := range steps {
		err := st.do()
		switch {
		case st.wantErr != nil && !errors.Is(err, st.wantErr):
			t.Errorf("%s: error %v, want %v", st.name, err, st.wantErr)
		case st.wantErr == nil && err != nil:
			t.Errorf("%s: %v", st.name, err)
		}
		if got := describe(b); got != st.want {
			t.Errorf("%s: basket\n got %s\nwant %s", st.name, got, st.want)
		}
	}
}

func describe(b *Basket) string {
	var parts []string
	var sum Money
	for _, l := range b.Lines() {
		parts = append(parts, fmt.Sprintf("%s×%d=%s", l.SKU, l.Quantity, l.Total))
		sum += l.Total
	}
	if sum != b.Total() || len(parts) != b.Len() {
		return fmt.Sprintf("lines sum to %s over %d lines but Total is %s, Len %d", sum, len(parts), b.Total(), b.Len())
	}
	return strings.Join(parts, " ") + "; " + b.Total().String()
}

func TestBasketLineSnapshot(t *testing.T) {
	b := NewBasket(loadSample(t))
	for _, code := range []string{"noodle", "NOODLE-INT", "0038000138416", "EGG"} {
		if _, err := b.Add(code); err != nil {
			t.Fatal(err)
		}
	}
	want := []Line{
		// Added by SKU first: the line shows the product's first barcode.
		{SKU: "NOODLE", Barcode: "6902927810011", NameZH: "康师傅 红烧牛肉面", NameEN: "Braised Beef Noodles", Unit: "袋", UnitPrice: 450, Quantity: 2, Total: 900},
		// Scanned as EAN-13: the line shows the barcode as the catalog has it.
		{SKU: "WALL", Barcode: "038000138416", NameZH: "长城 干红葡萄酒", NameEN: "Great Wall Red Wine", Unit: "瓶", UnitPrice: 5900, Quantity: 1, Total: 5900},
		{SKU: "EGG", NameZH: "鸡蛋", NameEN: "Egg", Unit: "个", UnitPrice: 120, Quantity: 1, Total: 120},
	}
	got := b.Lines()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Lines()\n got %+v\nwant %+v", got, want)
	}
	got[0].Quantity = 99
	if b.Quantity(0) != 2 {
		t.Error("Lines() shares memory with the basket")
	}
}

func TestBasketLimits(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("sku,barcode,name_zh,name_en,price\nGOLD,,金条,Gold bar,999999.99\nCENT,,分,Cent,0.01\n")
	for i := range MaxLines {
		fmt.Fprintf(&sb, "P%03d,,品%d,Item %d,1\n", i, i, i)
	}
	c, err := LoadCatalogCSV("x.csv", strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}

	b := NewBasket(c)
	if _, err := b.Add("GOLD"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add("GOLD"); !errors.Is(err, ErrTotalLimit) {
		t.Errorf("a second gold bar: %v, want ErrTotalLimit", err)
	}
	if _, err := b.Add("CENT"); err != nil {
		t.Errorf("one cent up to exactly MaxTotal: %v", err)
	}
	if b.Total() != MaxTotal {
		t.Errorf("total %s, want %s", b.Total(), MaxTotal)
	}
	if err := b.Increment(1); !errors.Is(err, ErrTotalLimit) {
		t.Errorf("one cent over MaxTotal: %v, want ErrTotalLimit", err)
	}
	if _, err := b.Add("P000"); !errors.Is(err, ErrTotalLimit) {
		t.Errorf("a new line over MaxTotal: %v, want ErrTotalLimit", err)
	}
	if got := describe(b); got != "GOLD×1=¥999999.99 CENT×1=¥0.01; ¥1000000.00" {
		t.Errorf("refused changes altered the basket: %s", got)
	}

	b = NewBasket(c)
	for i := range MaxLines {
		if _, err := b.Add(fmt.Sprintf("P%03d", i)); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	if _, err := b.Add("CENT"); !errors.Is(err, ErrLineLimit) {
		t.Errorf("line %d: %v, want ErrLineLimit", MaxLines+1, err)
	}
	if _, err := b.Add("P000"); err != nil {
		t.Errorf("more of a product already in a full basket: %v", err)
	}
	if b.Len() != MaxLines {
		t.Errorf("Len %d, want %d", b.Len(), MaxLines)
	}
}

// Restore brings an order's lines back as they were sold, and Lines gives
// them back unchanged.
func TestBasketRestore(t *testing.T) {
	c := loadSample(t)
	b := NewBasket(c)
	if _, err := b.AddN("6921168509256", 3); err != nil {
		t.Fatal(err)
	}
	lines := b.Lines()
	lines[0].UnitPrice, lines[0].Total = 150, 450 // sold at an older price
	again := NewBasket(c)
	again.Restore(lines)
	if got := again.Lines(); len(got) != 1 || got[0] != lines[0] || again.Total() != 450 {
		t.Fatalf("restored %+v, total %s; want %+v", got, again.Total(), lines)
	}
	if _, err := again.Add("6921168509256"); err != nil || again.Lines()[0].Quantity != 4 {
		t.Fatalf("adding to a restored line: %+v, %v", again.Lines(), err)
	}
}
