package storage

import (
	"errors"
	"fmt"
	"time"

	"qrtill/pos"
)

// An order's event log is one value under its number in event_logs:
//
//	formatEventLog, first seq (uvarint), base time (the first event's At),
//	then per event: its length (uvarint) and At (after base), Source and
//	Kind (words), OutTradeNo (relative to the order number), Detail.
//
// An event's Seq is first seq plus its place in the log; its OrderNumber
// is the key. Appending copies the value and adds records at its end.
const formatEventLog = 0x02

// Word tables of the event log. Append only: the index is stored.
var (
	sourceWords = []string{"cashier", "poll", "notify", "relay", "reconcile", "system"}
	kindWords   = []string{"created", "attempt", "qr_issued", "waiting", "scanned", "paid", "closing", "closed",
		"expired", "failed", "qr_unknown", "order_cancelled", "order_expired", "refund_requested", "refund_failed",
		"refunded", "double_payment", "late_payment"}
)

// logHeader is the start of an event log value.
type logHeader struct {
	first uint64    // Seq of the first record
	base  time.Time // At of the first record
	n     uint64    // records in the log
}

// readLogHeader reads a log's header and counts its records.
func readLogHeader(v string) (logHeader, reader, error) {
	if len(v) == 0 || v[0] != formatEventLog {
		return logHeader{}, reader{}, errors.New("unknown event log format")
	}
	r := reader{s: v, off: 1}
	h := logHeader{first: r.uint(), base: r.time()}
	body := r
	for r.err == nil && r.off < len(r.s) {
		n := r.uint()
		if n > uint64(len(r.s)-r.off) {
			r.fail()
			break
		}
		r.off += int(n)
		h.n++
	}
	return h, body, r.err
}

// appendLog returns old (nil for a new log whose first Seq is first)
// with evs added, filling in each event's OrderNumber and Seq.
func appendLog(old []byte, number string, first uint64, evs []pos.Event) ([]byte, error) {
	var h logHeader
	w := writer{b: make([]byte, 0, len(old)+80*len(evs)+24)}
	if old == nil {
		h = logHeader{first: first, base: evs[0].At}
		w.b = append(w.b, formatEventLog)
		w.uint(h.first)
		w.time(h.base)
	} else {
		var err error
		if h, _, err = readLogHeader(string(old)); err != nil {
			return nil, fmt.Errorf("read event log of order %s: %w", number, err)
		}
		w.b = append(w.b, old...)
	}
	var rec writer
	for i := range evs {
		evs[i].OrderNumber, evs[i].Seq = number, h.first+h.n+uint64(i)
		rec.b = rec.b[:0]
		rec.timeAfter(evs[i].At, h.base)
		rec.word(string(evs[i].Source), sourceWords)
		rec.word(string(evs[i].Kind), kindWords)
		rec.rel(evs[i].OutTradeNo, number)
		rec.str(evs[i].Detail)
		w.uint(uint64(len(rec.b)))
		w.b = append(w.b, rec.b...)
	}
	return w.b, nil
}

// log decodes the events of an order's log value v.
func (d *decoder) log(number string, v []byte) ([]pos.Event, error) {
	h, r, err := readLogHeader(string(v))
	if err != nil {
		return nil, err
	}
	r.d = d
	evs := make([]pos.Event, h.n)
	for i := range evs {
		end := int(r.uint())
		end += r.off
		ev := &evs[i]
		ev.OrderNumber, ev.Seq = number, h.first+uint64(i)
		ev.At = r.timeAfter(h.base)
		ev.Source = pos.EventSource(r.word(sourceWords))
		ev.Kind = pos.EventKind(r.word(kindWords))
		ev.OutTradeNo = r.rel(number)
		ev.Detail = r.str()
		if r.err == nil && r.off != end {
			return nil, fmt.Errorf("event %d: %w", ev.Seq, errTruncated)
		}
	}
	return evs, r.err
}
