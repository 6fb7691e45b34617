package storage

import (
	"qrtill/payments"
	"qrtill/pos"
)

// decodeOrderV1 reads an order value of schema 1: formatOrderV1, then
// every field in full, in struct order. Nothing writes it any more.
func decodeOrderV1(o *pos.Order, v string, d *decoder) error {
	r := reader{s: v, off: 1, d: d}
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
			a := &o.Attempts[i]
			a.OutTradeNo, a.OrderNumber = r.str(), r.str()
			a.Channel, a.Status = payments.Channel(r.str()), pos.AttemptStatus(r.str())
			a.Amount, a.QRContent = pos.Money(r.int()), r.str()
			a.ProviderTradeNo, a.Buyer, a.PaidAmount = r.str(), r.str(), pos.Money(r.int())
			a.PaidAt, a.CreatedAt, a.ExpiresAt, a.UpdatedAt = r.time(), r.time(), r.time(), r.time()
			a.LastCode, a.Intent = r.str(), pos.Intent(r.str())
		}
	}
	if n := r.count(); n >= 0 {
		o.Refunds = make([]pos.Refund, n)
		for i := range o.Refunds {
			f := &o.Refunds[i]
			f.RefundNo, f.OutTradeNo, f.Amount, f.Reason = r.str(), r.str(), pos.Money(r.int()), r.str()
			f.Status, f.CreatedAt, f.UpdatedAt = payments.RefundState(r.str()), r.time(), r.time()
		}
	}
	return r.done(o)
}
