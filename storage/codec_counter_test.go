package storage

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"qrtill/payments"
	"qrtill/pos"
)

// beforeCounter is o as a book before schema 3 could hold it: no daily
// number, no attempt kinds or cash.
func beforeCounter(o pos.Order) pos.Order {
	o.DailyNo = 0
	o.Attempts = slices.Clone(o.Attempts)
	for i := range o.Attempts {
		o.Attempts[i].Kind, o.Attempts[i].CashGiven, o.Attempts[i].Change = "", 0, 0
	}
	return beforeLive(o)
}

// beforeLive is o as a book before schema 4 could hold it: every refund
// the till's own.
func beforeLive(o pos.Order) pos.Order {
	o.Refunds = slices.Clone(o.Refunds)
	for i := range o.Refunds {
		o.Refunds[i].External = false
	}
	return o
}

// encodeOrderV3 is schema 3's order value: today's without the
// going-live tail.
func encodeOrderV3(o *pos.Order) []byte {
	v := encodeOrder(o)
	var tail writer
	encodeLiveTail(&tail, o)
	return append([]byte{formatOrderV3}, v[1:len(v)-len(tail.b)]...)
}

func TestOrderCodecReadsV3(t *testing.T) {
	var want pos.Order
	n := 0
	fill(t, reflect.ValueOf(&want).Elem(), "Order", &n)
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrderV3(&want), shanghai); err != nil {
		t.Fatal(err)
	}
	if want = beforeLive(want); !reflect.DeepEqual(got, want) {
		t.Errorf("schema-3 value read back differently\n got %+v\nwant %+v", got, want)
	}
}

// encodeOrderV2 is schema 2's order value: today's without the counter's
// tail.
func encodeOrderV2(o *pos.Order) []byte {
	v := encodeOrderV3(o)
	var tail writer
	encodeCounterTail(&tail, o)
	return append([]byte{formatOrderV2}, v[1:len(v)-len(tail.b)]...)
}

func TestOrderCodecReadsV2(t *testing.T) {
	var want pos.Order
	n := 0
	fill(t, reflect.ValueOf(&want).Elem(), "Order", &n)
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrderV2(&want), shanghai); err != nil {
		t.Fatal(err)
	}
	if want = beforeCounter(want); !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("schema-2 value read back differently\n got %s\nwant %s", g, w)
	}
	// A schema-3 value cut before its tail is refused, not read as schema 2.
	v := encodeOrderV3(&want)
	var tail writer
	encodeCounterTail(&tail, &want)
	if err := decodeOrderInto(&got, v[:len(v)-len(tail.b)], shanghai); err == nil {
		t.Error("a schema-3 value without its tail decoded")
	}
}

func TestOrderCodecCounterFields(t *testing.T) {
	o := paidOrder("20250301-000001", at(1, 9, 0, 0))
	o.DailyNo = 4711
	o.Channel = payments.Cash
	o.Attempts = append(o.Attempts,
		pos.Attempt{OutTradeNo: o.Number + "P02", Kind: pos.KindCode, Channel: payments.WeChat},
		pos.Attempt{OutTradeNo: o.Number + "P03", Kind: pos.KindCash, Channel: payments.Cash, CashGiven: 10000, Change: 8750},
		pos.Attempt{OutTradeNo: o.Number + "P04", Kind: "a kind from the future"})
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrder(&o), shanghai); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, o) {
		t.Errorf("got %+v\nwant %+v", got, o)
	}
	if !slices.Contains(channelWords, string(payments.Cash)) {
		t.Errorf("channel words %v lack %q", channelWords, payments.Cash)
	}
}
