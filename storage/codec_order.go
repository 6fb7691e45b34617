package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// An order value is formatOrderV1 followed by every field of pos.Order in
// a fixed order (decoding it is about ten times faster than JSON, which
// keeps a 10,000-order day quick to list). Values that start with '{' are
// JSON, and are still read. When pos.Order, Line, Attempt or Refund gains
// a field, add it here at the end of its struct's list and keep the old
// reading working (TestOrderCodecCoversEveryField fails until then).
const formatOrderV1 = 0x01

// encodeOrder encodes an order value.
func encodeOrder(o *pos.Order) []byte {
	w := writer{b: make([]byte, 0, 512)}
	w.b = append(w.b, formatOrderV1)
	w.str(o.Number)
	w.str(string(o.Status))
	w.count(len(o.Lines), o.Lines == nil)
	for i := range o.Lines {
		encodeLine(&w, &o.Lines[i])
	}
	w.int(int64(o.Total))
	w.str(o.Cashier)
	w.str(o.Terminal)
	w.time(o.CreatedAt)
	w.time(o.UpdatedAt)
	w.str(string(o.Channel))
	w.str(o.PaidBy)
	w.count(len(o.Attempts), o.Attempts == nil)
	for i := range o.Attempts {
		encodeAttempt(&w, &o.Attempts[i])
	}
	w.count(len(o.Refunds), o.Refunds == nil)
	for i := range o.Refunds {
		encodeRefund(&w, &o.Refunds[i])
	}
	return w.b
}

func encodeLine(w *writer, l *pos.Line) {
	w.str(l.SKU)
	w.str(l.Barcode)
	w.str(l.NameZH)
	w.str(l.NameEN)
	w.str(l.Unit)
	w.int(int64(l.UnitPrice))
	w.int(int64(l.Quantity))
	w.int(int64(l.Total))
}

func encodeAttempt(w *writer, a *pos.Attempt) {
	w.str(a.OutTradeNo)
	w.str(a.OrderNumber)
	w.str(string(a.Channel))
	w.str(string(a.Status))
	w.int(int64(a.Amount))
	w.str(a.QRContent)
	w.str(a.ProviderTradeNo)
	w.str(a.Buyer)
	w.int(int64(a.PaidAmount))
	w.time(a.PaidAt)
	w.time(a.CreatedAt)
	w.time(a.ExpiresAt)
	w.time(a.UpdatedAt)
	w.str(a.LastCode)
	w.str(string(a.Intent))
}

func encodeRefund(w *writer, r *pos.Refund) {
	w.str(r.RefundNo)
	w.str(r.OutTradeNo)
	w.int(int64(r.Amount))
	w.str(r.Reason)
	w.str(string(r.Status))
	w.time(r.CreatedAt)
	w.time(r.UpdatedAt)
}

// decodeOrderInto decodes an order value into o, copying it out of
// bbolt's memory. Times come back in loc when their offset matches it.
func decodeOrderInto(o *pos.Order, v []byte, loc *time.Location) error {
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, o)
	}
	if len(v) == 0 || v[0] != formatOrderV1 {
		return errors.New("unknown value format")
	}
	r := reader{s: string(v), off: 1, loc: loc}
	o.Number = r.str()
	o.Status = pos.OrderStatus(r.str())
	if n := r.count(); n >= 0 {
		o.Lines = make([]pos.Line, n)
		for i := range o.Lines {
			decodeLine(&r, &o.Lines[i])
		}
	}
	o.Total = pos.Money(r.int())
	o.Cashier = r.str()
	o.Terminal = r.str()
	o.CreatedAt = r.time()
	o.UpdatedAt = r.time()
	o.Channel = payments.Channel(r.str())
	o.PaidBy = r.str()
	if n := r.count(); n >= 0 {
		o.Attempts = make([]pos.Attempt, n)
		for i := range o.Attempts {
			decodeAttempt(&r, &o.Attempts[i])
		}
	}
	if n := r.count(); n >= 0 {
		o.Refunds = make([]pos.Refund, n)
		for i := range o.Refunds {
			decodeRefund(&r, &o.Refunds[i])
		}
	}
	if r.err == nil && r.off != len(r.s) {
		r.err = fmt.Errorf("%d bytes left over", len(r.s)-r.off)
	}
	if r.err != nil {
		*o = pos.Order{}
		return r.err
	}
	return nil
}

func decodeLine(r *reader, l *pos.Line) {
	l.SKU = r.str()
	l.Barcode = r.str()
	l.NameZH = r.str()
	l.NameEN = r.str()
	l.Unit = r.str()
	l.UnitPrice = pos.Money(r.int())
	l.Quantity = int(r.int())
	l.Total = pos.Money(r.int())
}

func decodeAttempt(r *reader, a *pos.Attempt) {
	a.OutTradeNo = r.str()
	a.OrderNumber = r.str()
	a.Channel = payments.Channel(r.str())
	a.Status = pos.AttemptStatus(r.str())
	a.Amount = pos.Money(r.int())
	a.QRContent = r.str()
	a.ProviderTradeNo = r.str()
	a.Buyer = r.str()
	a.PaidAmount = pos.Money(r.int())
	a.PaidAt = r.time()
	a.CreatedAt = r.time()
	a.ExpiresAt = r.time()
	a.UpdatedAt = r.time()
	a.LastCode = r.str()
	a.Intent = pos.Intent(r.str())
}

func decodeRefund(r *reader, f *pos.Refund) {
	f.RefundNo = r.str()
	f.OutTradeNo = r.str()
	f.Amount = pos.Money(r.int())
	f.Reason = r.str()
	f.Status = payments.RefundState(r.str())
	f.CreatedAt = r.time()
	f.UpdatedAt = r.time()
}
