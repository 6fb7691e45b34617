package pos_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/pos"
	"qrtill/storage"
)

// A till whose process runs under TZ=UTC still stamps and numbers a sale
// at 00:34 Shanghai time as the shop's 2 March.
func TestTillReadsItsClockInTheShopsZone(t *testing.T) {
	shop := storage.DefaultLocation()
	late := func() time.Time { return time.Date(2025, 3, 1, 16, 34, 0, 0, time.UTC) }
	db, err := storage.Open(filepath.Join(t.TempDir(), "orders.db"), storage.Options{NoSync: true, Location: shop})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gen := pos.NewOrderNumberGenerator(late, shop)
	till, err := pos.NewTill(pos.TillConfig{Store: db, NextNumber: gen.Next, Clock: late, Location: shop})
	if err != nil {
		t.Fatal(err)
	}
	defer till.Close()
	o, err := till.Checkout(context.Background(), []pos.Line{{SKU: "W1", NameEN: "Water", UnitPrice: 250, Quantity: 1, Total: 250}}, "ann", "till-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.Number, "20250302003400") {
		t.Errorf("number %s, want the shop's wall time 20250302003400…", o.Number)
	}
	if got := o.CreatedAt.Format("2006-01-02 15:04 -0700"); got != "2025-03-02 00:34 +0800" {
		t.Errorf("CreatedAt %s, want 2025-03-02 00:34 +0800", got)
	}
	if got := till.Now().Format("2006-01-02"); got != "2025-03-02" {
		t.Errorf("Now() is %s, want the shop's 2025-03-02", got)
	}
	today, err := till.OrdersByDay(context.Background(), till.Now())
	if err != nil || len(today) != 1 {
		t.Errorf("today's orders = %d, %v; want the sale", len(today), err)
	}
}
