package storage

import "qrtill/pos"

// formatOrderV4 (schema 4) is formatOrderV3's value followed by the
// going-live fields:
//
//	per refund, in order: External (uvarint 0 or 1).
//
// Older values read with every refund the till's own.
const formatOrderV4 = 0x04

// encodeLiveTail writes the fields formatOrderV4 adds.
func encodeLiveTail(w *writer, o *pos.Order) {
	for i := range o.Refunds {
		ext := uint64(0)
		if o.Refunds[i].External {
			ext = 1
		}
		w.uint(ext)
	}
}

// decodeLiveTail reads what encodeLiveTail wrote.
func decodeLiveTail(r *reader, o *pos.Order) {
	for i := range o.Refunds {
		o.Refunds[i].External = r.uint() == 1
	}
}
