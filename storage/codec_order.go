package storage

import (
	"encoding/json"
	"errors"
	"fmt"

	"qrtill/payments"
	"qrtill/pos"
)

// An order value is formatOrderV4, the lengths of its three slices, then
// every field of pos.Order in a fixed order: formatOrderV2's, then the
// counter's tail (codec_counter.go), then the going-live tail
// (codec_live.go). Decoding it is many times
// faster than JSON, which keeps a 10,000-order day quick to list, and it
// is about a third of JSON's size. Strings that repeat the order number
// (out_trade_no, refund numbers) keep only what differs, statuses and
// other fixed words are a byte from a table, and times after CreatedAt
// are nanoseconds after it. Values in formatOrderV1 (schema 1) and
// values that start with '{' (JSON) are still read, as are formatOrderV2
// values (schema 2: no tail).
//
// When pos.Order, Line, Attempt or Refund gains a field, add it at the
// end of its struct's list and keep the old reading working
// (TestOrderCodecCoversEveryField fails until then). The word tables
// only ever grow at the end.
const (
	formatOrderV1 = 0x01
	formatOrderV2 = 0x02
)

// Word tables of the order format. Append only: the index is stored.
var (
	orderStatusWords   = []string{"open", "awaiting_payment", "paid", "cancelled", "expired", "partially_refunded", "refunded"}
	attemptStatusWords = []string{"creating", "waiting", "scanned", "closing", "paid", "closed", "expired", "failed", "refunded"}
	channelWords       = []string{"alipay", "wechat", "cash"}
	refundStatusWords  = []string{"pending", "success", "failed", "abnormal"}
	intentWords        = []string{"cancel", "expire", "switch", "abandon"}
	lastCodeWords      = []string{"WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_CLOSED", "TRADE_FINISHED",
		"SUCCESS", "NOTPAY", "USERPAYING", "CLOSED", "REFUND", "PAYERROR", "REVOKED", "ACQ.TRADE_NOT_EXIST", "ORDERNOTEXIST"}
	qrPrefixes = []string{"https://qr.alipay.com/", "weixin://wxpay/bizpayurl?pr=", "http://", "https://"}
)

// encodeOrder encodes an order value.
func encodeOrder(o *pos.Order) []byte {
	w := writer{b: make([]byte, 0, 384)}
	w.b = append(w.b, formatOrderV4)
	w.count(len(o.Lines), o.Lines == nil)
	w.count(len(o.Attempts), o.Attempts == nil)
	w.count(len(o.Refunds), o.Refunds == nil)
	w.str(o.Number)
	w.word(string(o.Status), orderStatusWords)
	for i := range o.Lines {
		encodeLine(&w, &o.Lines[i])
	}
	w.int(int64(o.Total))
	w.str(o.Cashier)
	w.str(o.Terminal)
	w.time(o.CreatedAt)
	w.timeAfter(o.UpdatedAt, o.CreatedAt)
	w.word(string(o.Channel), channelWords)
	for i := range o.Attempts {
		encodeAttempt(&w, o, &o.Attempts[i])
	}
	attemptRef(&w, o, o.PaidBy)
	for i := range o.Refunds {
		encodeRefund(&w, o, &o.Refunds[i])
	}
	encodeCounterTail(&w, o)
	encodeLiveTail(&w, o)
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

func encodeAttempt(w *writer, o *pos.Order, a *pos.Attempt) {
	w.rel(a.OutTradeNo, o.Number)
	w.rel(a.OrderNumber, o.Number)
	w.word(string(a.Channel), channelWords)
	w.word(string(a.Status), attemptStatusWords)
	w.int(int64(a.Amount))
	w.prefixed(a.QRContent, qrPrefixes)
	w.str(a.ProviderTradeNo)
	w.str(a.Buyer)
	w.int(int64(a.PaidAmount))
	w.timeAfter(a.PaidAt, o.CreatedAt)
	w.timeAfter(a.CreatedAt, o.CreatedAt)
	w.timeAfter(a.ExpiresAt, o.CreatedAt)
	w.timeAfter(a.UpdatedAt, o.CreatedAt)
	w.word(a.LastCode, lastCodeWords)
	w.word(string(a.Intent), intentWords)
}

func encodeRefund(w *writer, o *pos.Order, r *pos.Refund) {
	w.rel(r.RefundNo, o.Number)
	attemptRef(w, o, r.OutTradeNo)
	w.int(int64(r.Amount))
	w.str(r.Reason)
	w.word(string(r.Status), refundStatusWords)
	w.timeAfter(r.CreatedAt, o.CreatedAt)
	w.timeAfter(r.UpdatedAt, o.CreatedAt)
}

// attemptRef writes an out_trade_no as the 1-based index of the attempt
// that has it, or 0 and the string.
func attemptRef(w *writer, o *pos.Order, outTradeNo string) {
	for i := range o.Attempts {
		if outTradeNo != "" && o.Attempts[i].OutTradeNo == outTradeNo {
			w.uint(uint64(i) + 1)
			return
		}
	}
	w.uint(0)
	w.rel(outTradeNo, o.Number)
}

func readAttemptRef(r *reader, o *pos.Order) string {
	i := r.uint()
	switch {
	case i == 0:
		return r.rel(o.Number)
	case i <= uint64(len(o.Attempts)):
		return o.Attempts[i-1].OutTradeNo
	}
	r.fail()
	return ""
}

// Slice elements a bulk decoder allocates at once (about arenaChunk).
const (
	bulkLines    = 256
	bulkAttempts = 96
	bulkRefunds  = 128
)

// order decodes an order value, read inside a transaction, into o, in
// any of the three formats. It copies v out of bbolt's memory.
func (d *decoder) order(o *pos.Order, v []byte) error {
	switch {
	case len(v) > 0 && v[0] == '{':
		return json.Unmarshal(v, o)
	case len(v) > 0 && v[0] == formatOrderV1:
		return decodeOrderV1(o, string(v), d)
	case len(v) == 0 || v[0] < formatOrderV2 || v[0] > formatOrderV4:
		return errors.New("unknown value format")
	}
	r := reader{s: d.strs.copyOf(v), off: 1, d: d}
	nl, na, nr := r.count(), r.count(), r.count()
	o.Number = r.str()
	o.Status = pos.OrderStatus(r.word(orderStatusWords))
	o.Lines = take(&d.lines, nl, d.chunk(nl, bulkLines))
	for i := range o.Lines {
		decodeLine(&r, &o.Lines[i])
	}
	o.Total = pos.Money(r.int())
	o.Cashier = r.str()
	o.Terminal = r.str()
	o.CreatedAt = r.time()
	o.UpdatedAt = r.timeAfter(o.CreatedAt)
	o.Channel = payments.Channel(r.word(channelWords))
	o.Attempts = take(&d.attempts, na, d.chunk(na, bulkAttempts))
	for i := range o.Attempts {
		decodeAttempt(&r, o, &o.Attempts[i])
	}
	o.PaidBy = readAttemptRef(&r, o)
	o.Refunds = take(&d.refunds, nr, d.chunk(nr, bulkRefunds))
	for i := range o.Refunds {
		decodeRefund(&r, o, &o.Refunds[i])
	}
	if v[0] >= formatOrderV3 {
		decodeCounterTail(&r, o)
	}
	if v[0] >= formatOrderV4 {
		decodeLiveTail(&r, o)
	}
	return r.done(o)
}

// done reports the reader's error, or bytes left over; on error it
// clears o.
func (r *reader) done(o *pos.Order) error {
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

func decodeAttempt(r *reader, o *pos.Order, a *pos.Attempt) {
	a.OutTradeNo = r.rel(o.Number)
	a.OrderNumber = r.rel(o.Number)
	a.Channel = payments.Channel(r.word(channelWords))
	a.Status = pos.AttemptStatus(r.word(attemptStatusWords))
	a.Amount = pos.Money(r.int())
	a.QRContent = r.prefixed(qrPrefixes)
	a.ProviderTradeNo = r.str()
	a.Buyer = r.str()
	a.PaidAmount = pos.Money(r.int())
	a.PaidAt = r.timeAfter(o.CreatedAt)
	a.CreatedAt = r.timeAfter(o.CreatedAt)
	a.ExpiresAt = r.timeAfter(o.CreatedAt)
	a.UpdatedAt = r.timeAfter(o.CreatedAt)
	a.LastCode = r.word(lastCodeWords)
	a.Intent = pos.Intent(r.word(intentWords))
}

func decodeRefund(r *reader, o *pos.Order, f *pos.Refund) {
	f.RefundNo = r.rel(o.Number)
	f.OutTradeNo = readAttemptRef(r, o)
	f.Amount = pos.Money(r.int())
	f.Reason = r.str()
	f.Status = payments.RefundState(r.word(refundStatusWords))
	f.CreatedAt = r.timeAfter(o.CreatedAt)
	f.UpdatedAt = r.timeAfter(o.CreatedAt)
}
