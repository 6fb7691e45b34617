package printer_test

import (
	"fmt"
	"strings"
	"testing"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/printer"
	"qrtill/printer/decode"
)

const orderNo = "20261122103000000abc0001"

var langs = []printer.Lang{printer.English, printer.Chinese}
var widths = []printer.Width{printer.Paper58, printer.Paper80}

// cashReceipt is a cash sale as the till will fill it in: daily number,
// cash given and change come from the sale.
func cashReceipt(l printer.Lang) printer.Receipt {
	r := printer.ReceiptFromOrder(paidOrder(orderNo, payments.Cash, water, tea, noodles),
		printer.Header{Shop: "qrtill demo shop 演示小店", Lang: l, Location: shanghai})
	r.DailyNo, r.CashGiven, r.Change = 12, 5000, 5000-r.Total
	return r
}

// The cash receipt, decoded back, in both languages and both widths.
func TestReceiptGolden(t *testing.T) {
	for _, l := range langs {
		for _, w := range widths {
			t.Run(fmt.Sprintf("%s-%d", l, w), func(t *testing.T) {
				job, err := cashReceipt(l).Render(w)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, fmt.Sprintf("receipt-%s-%d.txt", l, w), decodeJob(t, job, w).Render())
			})
		}
	}
}

func TestReceiptContent(t *testing.T) {
	for _, l := range langs {
		for _, w := range widths {
			for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat, payments.Cash} {
				t.Run(fmt.Sprintf("%s-%d-%s", l, w, ch), func(t *testing.T) {
					checkReceipt(t, l, w, ch)
				})
			}
		}
	}
}

func checkReceipt(t *testing.T, l printer.Lang, w printer.Width, ch payments.Channel) {
	o := paidOrder(orderNo, ch, water, tea, noodles)
	r := printer.ReceiptFromOrder(o, printer.Header{Shop: "qrtill demo shop 演示小店", Lang: l, Location: shanghai})
	r.DailyNo = 7
	if ch == payments.Cash {
		r.CashGiven, r.Change = 5000, 5000-r.Total
	}
	job, err := r.Render(w)
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeJob(t, job, w)
	texts := doc.Texts()

	// The QR holds the order number; exactly one cut, at the very end.
	if qrs := doc.QRs(); len(qrs) != 1 || qrs[0] != orderNo {
		t.Errorf("QR payloads %q, want [%s]", qrs, orderNo)
	}
	if doc.Count(decode.Cut) != 1 || doc.Lines[len(doc.Lines)-1].Kind != decode.Cut {
		t.Errorf("%d cuts; last line %+v", doc.Count(decode.Cut), doc.Lines[len(doc.Lines)-1])
	}
	// The drawer opens for cash only, before anything prints.
	wantPulse := map[bool]int{true: 1, false: 0}[ch == payments.Cash]
	if doc.Count(decode.Pulse) != wantPulse || (wantPulse == 1 && doc.Lines[0].Kind != decode.Pulse) {
		t.Errorf("%d drawer pulses for %s, want %d first", doc.Count(decode.Pulse), ch, wantPulse)
	}
	// Names come back from GB18030 as they went in, wrapped in cells.
	name := map[printer.Lang]func(pos.Line) string{printer.English: func(x pos.Line) string { return x.NameEN },
		printer.Chinese: func(x pos.Line) string { return x.NameZH }}[l]
	for _, line := range []pos.Line{water, tea, noodles} {
		checkWrappedName(t, texts, name(line), w)
	}
	// The shop is centred; the daily number large and centred.
	checkCentered(t, doc, "qrtill demo shop 演示小店", 1, w)
	checkCentered(t, doc, "7", 3, w)
	// Amounts end at the right edge of the paper.
	for _, value := range []string{"￥" + o.Total.Yuan(), orderNo, "25.80"} {
		checkRightEdge(t, doc, value, w)
	}
	want := map[printer.Lang][]string{printer.English: {"Thank you", "Cashier", "ann", "2026-11-22 10:30:05"},
		printer.Chinese: {"谢谢惠顾", "收银员", "ann", "2026-11-22 10:30:05"}}[l]
	switch ch {
	case payments.Cash:
		want = append(want, map[printer.Lang][]string{printer.English: {"Cash given", "￥50.00", "Change", "￥14.70", "Cash"},
			printer.Chinese: {"实收现金", "￥50.00", "找零", "￥14.70", "现金"}}[l]...)
	case payments.Alipay:
		want = append(want, o.Attempts[0].ProviderTradeNo, map[printer.Lang]string{printer.English: "Alipay", printer.Chinese: "支付宝"}[l])
	case payments.WeChat:
		want = append(want, o.Attempts[0].ProviderTradeNo, map[printer.Lang]string{printer.English: "WeChat Pay", printer.Chinese: "微信支付"}[l])
	}
	all := strings.Join(texts, "\n")
	for _, s := range want {
		if !strings.Contains(all, s) {
			t.Errorf("receipt lacks %q:\n%s", s, doc.Render())
		}
	}
	if ch != payments.Cash && strings.Contains(all, "50.00") {
		t.Errorf("a %s receipt shows cash given", ch)
	}
}

// checkWrappedName finds the name's pieces at the start of consecutive
// lines, each within the item column.
func checkWrappedName(t *testing.T, texts []string, name string, w printer.Width) {
	t.Helper()
	column := w.Columns()
	if w == printer.Paper80 {
		column = 48 - 26 - 1
	}
	pieces := printer.Wrap(name, column)
	for i := range texts {
		if !strings.HasPrefix(texts[i], pieces[0]) || i+len(pieces) > len(texts) {
			continue
		}
		ok := true
		for j, p := range pieces[1:] {
			ok = ok && strings.TrimRight(texts[i+1+j], " ") == p
		}
		if ok {
			return
		}
	}
	t.Errorf("name %q not printed as %q", name, pieces)
}

// checkCentered finds text printed centred at width magnification mag.
func checkCentered(t *testing.T, doc decode.Doc, text string, mag int, w printer.Width) {
	t.Helper()
	for _, l := range doc.Lines {
		if l.Kind == decode.Text && l.Text() == text {
			if l.Align != printer.AlignCenter || l.Spans[0].Width != mag || l.Cells() != printer.Cells(text)*mag {
				t.Errorf("%q printed %+v, want centred at %d×", text, l, mag)
			}
			rendered := strings.Split(doc.Render(), "\n")
			pad := (w.Columns() - l.Cells()) / 2
			found := false
			for _, r := range rendered {
				found = found || strings.HasPrefix(r, strings.Repeat(" ", pad)) && r[pad] != ' '
			}
			if !found {
				t.Errorf("%q not rendered after %d cells", text, pad)
			}
			return
		}
	}
	t.Errorf("%q not printed", text)
}

// checkRightEdge finds a line ending with value that fills the paper.
func checkRightEdge(t *testing.T, doc decode.Doc, value string, w printer.Width) {
	t.Helper()
	for _, l := range doc.Lines {
		if strings.HasSuffix(l.Text(), value) && l.Cells() == w.Columns() {
			return
		}
	}
	t.Errorf("no line ends with %q at column %d", value, w.Columns())
}

// A reprint says COPY and never opens the drawer.
func TestReceiptCopy(t *testing.T) {
	r := cashReceipt(printer.English)
	again, ok := r.Again().(printer.Receipt)
	if !ok || !again.Copy || again.OpensDrawer() || !r.OpensDrawer() {
		t.Fatalf("Again = %+v", r.Again())
	}
	job, err := again.Render(printer.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeJob(t, job, printer.Paper58)
	if doc.Count(decode.Pulse) != 0 || !strings.Contains(strings.Join(doc.Texts(), "\n"), "*** COPY ***") {
		t.Errorf("copy:\n%s", doc.Render())
	}
}

// The builder takes what an order holds: names in the language (the
// other one when missing), the paying attempt's trade number and time in
// the shop's zone.
func TestReceiptFromOrder(t *testing.T) {
	onlyZH := pos.Line{SKU: "X1", NameZH: "散装花生", UnitPrice: 500, Quantity: 1, Total: 500}
	o := paidOrder(orderNo, payments.WeChat, water, onlyZH)
	r := printer.ReceiptFromOrder(o, printer.Header{Shop: "s", Lang: printer.English, Location: shanghai})
	if r.Items[0].Name != water.NameEN || r.Items[1].Name != "散装花生" || r.Items[0].Quantity != 3 || r.Items[0].Total != 600 {
		t.Errorf("items %+v", r.Items)
	}
	if r.TradeNo != o.Attempts[0].ProviderTradeNo || r.Time.Format("15:04:05 MST") != "10:30:05 CST" || r.Total != 1100 {
		t.Errorf("receipt %+v", r)
	}
	zh := printer.ReceiptFromOrder(o, printer.Header{Lang: printer.Chinese})
	if zh.Items[0].Name != water.NameZH || zh.Time.Location() != o.Attempts[0].PaidAt.Location() {
		t.Errorf("zh receipt %+v", zh)
	}
}
