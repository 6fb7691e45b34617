package pos

import "qrtill/payments"

// addCash sums the cash figures of a day's orders: the sales paid in
// cash, their refunds that were handed back, and what that leaves in the
// drawer.
func (r *DayReport) addCash(orders []Order) {
	for _, o := range orders {
		if o.PaidBy == "" || o.Channel != payments.Cash {
			continue
		}
		r.CashTaken.add(o.Total)
		for _, ref := range o.Refunds {
			if ref.OutTradeNo == o.PaidBy && ref.Status == payments.RefundSuccess {
				r.CashRefunded.add(ref.Amount)
			}
		}
	}
	r.CashExpected = r.CashTaken.Total - r.CashRefunded.Total
}
