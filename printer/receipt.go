package printer

import (
	"fmt"
	"strconv"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// Receipt is the customer's receipt of one sale.
type Receipt struct {
	Lang Lang
	Shop string
	// DailyNo is the short number staff say aloud (1, 2, 3… per shop
	// day), printed large; 0 leaves it off.
	DailyNo int
	// Order is the order number; the receipt's QR code carries it.
	Order   string
	Time    time.Time // when it was paid, in the shop's time zone
	Cashier string
	Items   []Item
	Total   pos.Money
	Channel payments.Channel
	TradeNo string // the provider's trade number; empty for cash
	// CashGiven and Change are printed for a cash sale.
	CashGiven, Change pos.Money
	// Copy marks a reprint: "COPY" on top and no drawer pulse.
	Copy bool
}

// Item is one line of a receipt.
type Item struct {
	Name      string
	Quantity  int
	UnitPrice pos.Money
	Total     pos.Money
}

// Item column widths on wide paper: quantity, unit price, line total.
const (
	qtyCells   = 5
	priceCells = 10
	totalCells = 11
	// wideItems is the narrowest line that takes an item on one row.
	wideItems = 48
)

// qrModuleDots is the side of one QR module: an order number's version 2
// code is then 25 × 6 = 150 dots, about 19 mm, easy for a phone.
const qrModuleDots = 6

// OpensDrawer reports whether printing the receipt opens the cash drawer:
// a cash sale's first print does, a copy never.
func (r Receipt) OpensDrawer() bool { return r.Channel == payments.Cash && !r.Copy }

// Name implements Document.
func (r Receipt) Name(l Lang) string {
	if r.DailyNo > 0 {
		if l == Chinese {
			return fmt.Sprintf("%d号小票", r.DailyNo)
		}
		return fmt.Sprintf("receipt No. %d", r.DailyNo)
	}
	if l == Chinese {
		return "订单" + r.Order + "的小票"
	}
	return "the receipt of order " + r.Order
}

// Again implements Document: the same receipt marked as a copy.
func (r Receipt) Again() Document { r.Copy = true; return r }

// Render implements Document.
func (r Receipt) Render(w Width) ([]byte, error) {
	p := newPage(w, r.Lang)
	p.open(r.OpensDrawer(), r.Shop, "", r.Copy)
	if r.DailyNo > 0 {
		p.centered(p.lang.word("number"))
		p.Bold(true)
		p.big(strconv.Itoa(r.DailyNo), 3, 3)
		p.Bold(false)
		p.Align(AlignLeft)
	}
	p.pair(p.lang.word("order"), r.Order)
	p.pair(p.lang.word("time"), stamp(r.Time))
	p.pair(p.lang.word("cashier"), orDash(r.Cashier))
	p.rule()
	p.items(r.Items)
	p.rule()
	p.emphasis(p.lang.word("total"), yuan(r.Total))
	p.pair(p.lang.word("paid_by"), p.lang.channelName(r.Channel))
	if r.TradeNo != "" {
		p.pair(p.lang.word("trade_no"), r.TradeNo)
	}
	if r.Channel == payments.Cash {
		p.pair(p.lang.word("cash_given"), yuan(r.CashGiven))
		p.pair(p.lang.word("change"), yuan(r.Change))
	}
	p.rule()
	p.Align(AlignCenter)
	p.QR(r.Order, qrModuleDots, QRLevelM)
	p.centered(p.lang.word("thanks"))
	return p.end()
}

// items prints the item table: on wide paper the name (wrapped) beside
// quantity, unit price and line total; on narrow paper the name on its
// own lines, then "2 x 3.50" and the line total.
func (p *page) items(items []Item) {
	wide := p.cols >= wideItems
	nameCells := p.cols - qtyCells - priceCells - totalCells
	if wide {
		p.Line(PadRight(p.lang.word("item"), nameCells) + PadLeft(p.lang.word("qty"), qtyCells) +
			PadLeft(p.lang.word("price"), priceCells) + PadLeft(p.lang.word("amount"), totalCells))
	} else {
		p.pair(p.lang.word("item"), p.lang.word("qty")+" x "+p.lang.word("price")+"  "+p.lang.word("amount"))
	}
	for _, it := range items {
		qty, price, total := strconv.Itoa(it.Quantity), money(it.UnitPrice), money(it.Total)
		if wide && len(qty) < qtyCells && len(price) < priceCells && len(total) < totalCells {
			name := Wrap(it.Name, nameCells-1)
			p.Line(PadRight(name[0], nameCells) + PadLeft(qty, qtyCells) + PadLeft(price, priceCells) + PadLeft(total, totalCells))
			p.Lines(name[1:])
			continue
		}
		p.Lines(Wrap(it.Name, p.cols))
		p.pair("  "+qty+" x "+price, total)
	}
}
