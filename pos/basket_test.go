package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestBasket(t *testing.T) {
	b := NewBasket(loadSample(t))
	if _, err := b.Add("6921168509256"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add("noodle"); err != nil {
		t.Fatal(err)
	}
	if i, err := b.Add("WATER"); err != nil || i != 0 {
		t.Fatalf("adding WATER again: line %d, %v; want line 0", i, err)
	}
	if b.Len() != 2 || b.Total() != 2*200+450 {
		t.Fatalf("len %d total %s", b.Len(), b.Total())
	}
	lines := b.Lines()
	if lines[0].Quantity != 2 || lines[0].Total != 400 || lines[0].Barcode != "6921168509256" || lines[1].UnitPrice != 450 {
		t.Fatalf("lines %+v", lines)
	}
	if _, err := b.Add("nothing"); !errors.Is(err, ErrUnknownProduct) {
		t.Errorf("unknown: %v", err)
	}
	if err := b.Decrement(1); !errors.Is(err, ErrQuantityLimit) {
		t.Errorf("below 1: %v", err)
	}
	if err := b.SetQuantity(0, MaxQuantity+1); !errors.Is(err, ErrQuantityLimit) {
		t.Errorf("above max: %v", err)
	}
	if err := b.Increment(1); err != nil || b.Lines()[1].Quantity != 2 {
		t.Errorf("increment: %v", err)
	}
	if err := b.Remove(0); err != nil || b.Len() != 1 || b.Lines()[0].SKU != "NOODLE" {
		t.Errorf("remove: %v %+v", err, b.Lines())
	}
	if err := b.Remove(5); err == nil {
		t.Error("removed a missing line")
	}
	b.Clear()
	if b.Len() != 0 || b.Total() != 0 {
		t.Error("clear left lines")
	}
}

func TestBasketLimits(t *testing.T) {
	csv := "sku,barcode,name_zh,name_en,price\nGOLD,,金条,Gold bar,999999.99\n"
	c, err := LoadCatalogCSV("x.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	b := NewBasket(c)
	if _, err := b.Add("GOLD"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add("GOLD"); !errors.Is(err, ErrTotalLimit) {
		t.Fatalf("over the total: %v", err)
	}
	if b.Lines()[0].Quantity != 1 {
		t.Error("a refused change altered the basket")
	}
}
