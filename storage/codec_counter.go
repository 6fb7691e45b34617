package storage

import "qrtill/pos"

// formatOrderV3 (schema 3) is formatOrderV2's value followed by the
// counter's fields:
//
//	DailyNo (uvarint), then per attempt, in order: Kind (a word of
//	attemptKindWords), CashGiven and Change (varints).
//
// A formatOrderV2 value has none of them: its orders read with DailyNo 0
// (the schema-3 migration numbers them) and attempts of kind "" (a QR).
const formatOrderV3 = 0x03

// attemptKindWords is the word table of Attempt.Kind. Append only.
var attemptKindWords = []string{"qr", "code", "cash"}

// encodeCounterTail writes the fields formatOrderV3 adds.
func encodeCounterTail(w *writer, o *pos.Order) {
	w.uint(uint64(max(o.DailyNo, 0)))
	for i := range o.Attempts {
		a := &o.Attempts[i]
		w.word(string(a.Kind), attemptKindWords)
		w.int(int64(a.CashGiven))
		w.int(int64(a.Change))
	}
}

// decodeCounterTail reads what encodeCounterTail wrote.
func decodeCounterTail(r *reader, o *pos.Order) {
	o.DailyNo = int(r.uint())
	for i := range o.Attempts {
		a := &o.Attempts[i]
		a.Kind = pos.AttemptKind(r.word(attemptKindWords))
		a.CashGiven = pos.Money(r.int())
		a.Change = pos.Money(r.int())
	}
}
