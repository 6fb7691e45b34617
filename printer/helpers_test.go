package printer_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/printer"
	"qrtill/printer/decode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a time on 22 November 2026 in Shanghai.
func at(hour, min, sec int) time.Time { return time.Date(2026, 11, 22, hour, min, sec, 0, shanghai) }

var (
	water = pos.Line{SKU: "WATER-NFSQ-550", NameZH: "农夫山泉 饮用天然水 550ml", NameEN: "Nongfu Spring Water 550ml",
		UnitPrice: 200, Quantity: 3, Total: 600}
	tea = pos.Line{SKU: "TEA-KSF-LC", NameZH: "康师傅绿茶", NameEN: "Master Kong Green Tea 500ml",
		UnitPrice: 350, Quantity: 1, Total: 350}
	noodles = pos.Line{SKU: "NOODLE-KSF", NameZH: "康师傅红烧牛肉面五连包超值装特惠家庭分享装", NameEN: "Master Kong Braised Beef Noodles, family pack of five",
		UnitPrice: 1290, Quantity: 2, Total: 2580}
)

// paidOrder is an order paid on a channel at 10:30:05 (UTC in the book).
func paidOrder(number string, ch payments.Channel, lines ...pos.Line) pos.Order {
	var total pos.Money
	for _, l := range lines {
		total += l.Total
	}
	created := at(10, 29, 40).UTC()
	o := pos.Order{Number: number, Status: pos.OrderPaid, Lines: lines, Total: total, Cashier: "ann",
		CreatedAt: created, UpdatedAt: created, Channel: ch, PaidBy: number + "P01"}
	a := pos.Attempt{OutTradeNo: number + "P01", OrderNumber: number, Channel: ch, Status: pos.AttemptPaid,
		Amount: total, PaidAmount: total, PaidAt: at(10, 30, 5).UTC(), CreatedAt: created}
	switch ch {
	case payments.Alipay:
		a.ProviderTradeNo = "2026112222001425671000012345"
	case payments.WeChat:
		a.ProviderTradeNo = "4200002026112212345678901234"
	}
	o.Attempts = []pos.Attempt{a}
	return o
}

// decodeJob decodes a rendered job and fails on anything a printer
// would not print as laid out: an unknown command, a command ignored,
// a line the printer had to wrap, a line wider than the paper.
func decodeJob(t *testing.T, job []byte, w printer.Width) decode.Doc {
	t.Helper()
	doc, err := decode.Decode(job, w.Columns())
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(doc.Ignored) > 0 {
		t.Errorf("the printer would ignore: %q", doc.Ignored)
	}
	for _, l := range doc.Lines {
		if l.Wrapped || l.Cells() > w.Columns() {
			t.Errorf("line %q (%d cells) does not fit %d columns", l.Text(), l.Cells(), w.Columns())
		}
	}
	return doc
}

// golden compares text with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./printer -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", path, got, want)
	}
}
