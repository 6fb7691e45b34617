package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/payments"
	"qrtill/pos"
)

// The realistic mix of a shop's day: what the till writes for each sale,
// transaction by transaction, with its own event texts (pos/till_*.go).

// mixProducts are a few lines of the demo catalog.
var mixProducts = []pos.Line{
	{SKU: "WATER-NFSQ-550", Barcode: "6921168509256", NameZH: "农夫山泉 饮用天然水 550ml", NameEN: "Nongfu Spring Water 550ml", Unit: "瓶", UnitPrice: 200},
	{SKU: "TEA-TY-BHC", Barcode: "6901025100024", NameZH: "统一 冰红茶 500ml", NameEN: "Uni-President Iced Black Tea 500ml", Unit: "瓶", UnitPrice: 350},
	{SKU: "COLA-KKKL-330", Barcode: "6901030302055", NameZH: "可口可乐 330ml 罐装", NameEN: "Coca-Cola Can 330ml", Unit: "罐", UnitPrice: 300},
	{SKU: "NOODLE-KSF-HS", Barcode: "6902927810011", NameZH: "康师傅 红烧牛肉面", NameEN: "Master Kong Braised Beef Noodles", Unit: "袋", UnitPrice: 450},
	{SKU: "CHIPS-LS-70", Barcode: "6904180663014", NameZH: "乐事 薯片 原味 70g", NameEN: "Lay's Classic Chips 70g", Unit: "袋", UnitPrice: 750},
	{SKU: "MILK-YL-250", Barcode: "6907740100158", NameZH: "伊利 纯牛奶 250ml", NameEN: "Yili Pure Milk 250ml", Unit: "盒", UnitPrice: 350},
}

// mixStep is one transaction the till makes for a sale.
type mixStep func(ctx context.Context, db *DB) error

// mixSale returns the transactions of sale i, created at created: most
// are paid by QR (some scanned first), some cancelled, expired or
// refunded later, in the proportions of a busy shop.
func mixSale(r *rand.Rand, number string, created time.Time) []mixStep {
	var lines []pos.Line
	var total pos.Money
	for range 1 + r.IntN(3) {
		l := mixProducts[r.IntN(len(mixProducts))]
		l.Quantity = 1 + r.IntN(2)
		l.Total = l.UnitPrice * pos.Money(l.Quantity)
		total += l.Total
		lines = append(lines, l)
	}
	o := pos.Order{Number: number, Status: pos.OrderOpen, Lines: lines, Total: total,
		Cashier: "li", Terminal: "till-1", CreatedAt: created, UpdatedAt: created}
	ch, qr, trade, code := payments.Alipay, "https://qr.alipay.com/bax0"+number[10:]+"x7k2", "2025030122001434"+number[12:24], "TRADE_SUCCESS"
	if r.IntN(2) == 0 {
		ch, qr, trade, code = payments.WeChat, "weixin://wxpay/bizpayurl?pr="+number[14:21], "42000012"+number[:20], "SUCCESS"
	}
	otn := pos.AttemptOutTradeNo(number, 1)
	at := func(s int) time.Time { return created.Add(time.Duration(s)*time.Second + time.Duration(r.IntN(1e9))) }
	steps := []mixStep{
		func(ctx context.Context, db *DB) error {
			return db.CreateOrder(ctx, o, pos.Event{At: created, Source: pos.SourceCashier, Kind: "created",
				Detail: fmt.Sprintf("%d lines, total %s, cashier %s", len(o.Lines), o.Total, "li")})
		},
		update(number, func(o *pos.Order) []pos.Event {
			t := at(4)
			o.Status, o.Channel, o.UpdatedAt = pos.OrderAwaitingPayment, ch, t
			o.Attempts = append(o.Attempts, pos.Attempt{OutTradeNo: otn, OrderNumber: number, Channel: ch,
				Status: pos.AttemptCreating, Amount: o.Total, CreatedAt: t, UpdatedAt: t, ExpiresAt: t.Add(5 * time.Minute)})
			return []pos.Event{{At: t, Source: pos.SourceCashier, Kind: "attempt", OutTradeNo: otn,
				Detail: fmt.Sprintf("asking %s for a QR for %s", ch, o.Total)}}
		}),
		update(number, func(o *pos.Order) []pos.Event {
			a := &o.Attempts[0]
			a.Status, a.QRContent, a.UpdatedAt = pos.AttemptWaiting, qr, at(5)
			return []pos.Event{{At: a.UpdatedAt, Source: pos.SourceCashier, Kind: "qr_issued", OutTradeNo: otn,
				Detail: fmt.Sprintf("%s QR issued; expires %s", ch, a.ExpiresAt.Format("15:04:05"))}}
		}),
	}
	switch n := r.IntN(100); {
	case n < 8: // cancelled by the cashier
		return append(steps, mixClose(number, otn, ch, at(20), pos.IntentCancel, pos.OrderCancelled)...)
	case n < 13: // ran out of time
		return append(steps, mixClose(number, otn, ch, at(300), pos.IntentExpire, pos.OrderExpired)...)
	}
	if r.IntN(3) > 0 {
		steps = append(steps, update(number, func(o *pos.Order) []pos.Event {
			a := &o.Attempts[0]
			a.Status, a.Buyer, a.UpdatedAt, a.LastCode = pos.AttemptScanned, "138****0000", at(12), "WAIT_BUYER_PAY"
			return []pos.Event{{At: a.UpdatedAt, Source: pos.SourcePoll, Kind: "scanned", OutTradeNo: otn,
				Detail: "scanned by buyer " + a.Buyer + "; waiting for the buyer to confirm"}}
		}))
	}
	steps = append(steps,
		func(ctx context.Context, db *DB) error {
			_, err := db.RecordNotification(ctx, string(ch), "2025030100222"+number[14:24], at(19))
			return err
		},
		update(number, func(o *pos.Order) []pos.Event {
			a := &o.Attempts[0]
			a.Status, a.PaidAmount, a.PaidAt, a.ProviderTradeNo, a.LastCode = pos.AttemptPaid, a.Amount, at(18), trade, code
			a.UpdatedAt, o.UpdatedAt, o.Status, o.PaidBy = at(19), at(19), pos.OrderPaid, otn
			return []pos.Event{{At: a.UpdatedAt, Source: pos.SourceNotify, Kind: "paid", OutTradeNo: otn,
				Detail: fmt.Sprintf("paid %s by %s, %s trade %s", a.PaidAmount, a.Buyer, ch, trade)}}
		}))
	if r.IntN(50) == 0 { // refunded later the same day
		rn := number + "R01"
		steps = append(steps,
			update(number, func(o *pos.Order) []pos.Event {
				o.Refunds = append(o.Refunds, pos.Refund{RefundNo: rn, OutTradeNo: otn, Amount: o.Total, Reason: "customer returned goods",
					Status: payments.RefundPending, CreatedAt: at(3600), UpdatedAt: at(3600)})
				return []pos.Event{{At: at(3600), Source: pos.SourceCashier, Kind: "refund_requested", OutTradeNo: otn,
					Detail: fmt.Sprintf("refund %s of %s requested (%s)", rn, o.Total, "customer returned goods")}}
			}),
			update(number, func(o *pos.Order) []pos.Event {
				o.Refunds[0].Status, o.Refunds[0].UpdatedAt, o.Status = payments.RefundSuccess, at(3601), pos.OrderRefunded
				return []pos.Event{{At: at(3601), Source: pos.SourceSystem, Kind: "refunded", OutTradeNo: otn,
					Detail: fmt.Sprintf("refund %s of %s done", rn, o.Total)}}
			}))
	}
	return steps
}

// mixClose is a QR closed at the provider: closing, then closed.
func mixClose(number, otn string, ch payments.Channel, t time.Time, intent pos.Intent, final pos.OrderStatus) []mixStep {
	return []mixStep{
		update(number, func(o *pos.Order) []pos.Event {
			a := &o.Attempts[0]
			a.Status, a.Intent, a.UpdatedAt = pos.AttemptClosing, intent, t
			return []pos.Event{{At: t, Source: pos.SourceCashier, Kind: "closing", OutTradeNo: otn,
				Detail: "asking " + string(ch) + " to close the QR (" + string(intent) + ")"}}
		}),
		update(number, func(o *pos.Order) []pos.Event {
			a := &o.Attempts[0]
			st := pos.AttemptClosed
			if final == pos.OrderExpired {
				st = pos.AttemptExpired
			}
			a.Status, a.Intent, a.UpdatedAt, a.LastCode = st, "", t.Add(time.Second), "TRADE_CLOSED"
			o.Status, o.UpdatedAt = final, a.UpdatedAt
			return []pos.Event{{At: a.UpdatedAt, Source: pos.SourcePoll, Kind: "closed", OutTradeNo: otn, Detail: "provider closed the QR"}}
		}),
	}
}

// update is one UpdateOrder step.
func update(number string, fn func(o *pos.Order) []pos.Event) mixStep {
	return func(ctx context.Context, db *DB) error {
		_, err := db.UpdateOrder(ctx, number, func(o *pos.Order) ([]pos.Event, error) { return fn(o), nil })
		return err
	}
}

// fillMix writes n sales per day for days days, as the till would: a few
// sales in flight at once, each step its own transaction. It returns the
// size of the same orders and events as JSON.
func fillMix(tb testing.TB, db *DB, days, n int) (jsonBytes int) {
	tb.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	const inFlight = 4
	for d := range days {
		var pending [][]mixStep
		var numbers []string
		for i := range n {
			created := at(1+d, 8, 0, 0).Add(time.Duration(i) * 50 * time.Minute * 14 / time.Duration(n))
			number := created.Format("20060102150405") + fmt.Sprintf("%03dk3f%04d", created.Nanosecond()/1e6, i%10000)
			pending = append(pending, mixSale(r, number, created))
			numbers = append(numbers, number)
			for len(pending) >= inFlight || (i == n-1 && len(pending) > 0) {
				j := r.IntN(len(pending))
				if err := pending[j][0](ctx, db); err != nil {
					tb.Fatal(err)
				}
				if pending[j] = pending[j][1:]; len(pending[j]) == 0 {
					pending = append(pending[:j], pending[j+1:]...)
				}
			}
		}
		for _, num := range numbers {
			o, _ := db.Order(ctx, num)
			evs, _ := db.Events(ctx, num)
			a, _ := json.Marshal(o)
			b, _ := json.Marshal(evs)
			jsonBytes += len(a) + len(b)
		}
	}
	return jsonBytes
}

// maxBytesPerOrder is the book's size budget: a busy shop's year (150,000
// orders) in under 180 MB. Schema 1 took 4.2 KB for the same mix.
const maxBytesPerOrder = 1200

// TestBookSizePerOrder fills a book with two days of the realistic mix
// (orders, every event, the inbox and all indexes) and checks the bytes
// bbolt uses per order. Sizes are deterministic: a seeded mix, no clock.
func TestBookSizePerOrder(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	const days, n = 2, 3000
	js := fillMix(t, db, days, n)
	var used int64
	db.bolt.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	fi, _ := os.Stat(db.Path())
	per := float64(used) / float64(days*n)
	t.Logf("%d orders: %d bytes used (file %d, grown in bbolt's steps): %.0f bytes per order; as JSON %.0f (%.2f×)",
		days*n, used, fi.Size(), per, float64(js)/float64(days*n), per*float64(days*n)/float64(js))
	if per > maxBytesPerOrder {
		t.Errorf("%.0f bytes per order, want at most %d", per, maxBytesPerOrder)
	}
}
