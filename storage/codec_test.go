package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"qrtill/pos"
)

// fill sets every field reachable from v to a distinct non-zero value, and
// every slice to two elements, so a round trip that drops a field shows.
func fill(t *testing.T, v reflect.Value, path string, n *int) {
	t.Helper()
	*n++
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2025, 3, 1, 9, 0, *n, *n*1000+7, shanghai)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + "·" + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n) * 1001)
	case reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), path, n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				fill(t, v.Field(i), path+"."+f.Name, n)
			}
		}
	default:
		t.Fatalf("fill %s: kind %s is new; teach codec_order.go and this test", path, v.Kind())
	}
}

func TestOrderCodecCoversEveryField(t *testing.T) {
	var want pos.Order
	n := 0
	fill(t, reflect.ValueOf(&want).Elem(), "Order", &n)
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrder(&want), shanghai); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("round trip lost data: a field of pos.Order (or Line, Attempt, Refund) is not in codec_order.go\n got %s\nwant %s", g, w)
	}
}

func TestOrderCodecKeepsNilAndEmpty(t *testing.T) {
	for _, o := range []pos.Order{
		{Number: "nil slices"},
		{Number: "empty slices", Lines: []pos.Line{}, Attempts: []pos.Attempt{}, Refunds: []pos.Refund{}},
	} {
		var got pos.Order
		if err := decodeOrderInto(&got, encodeOrder(&o), shanghai); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, o) {
			t.Errorf("%s: got %#v, want %#v", o.Number, got, o)
		}
	}
}

func TestOrderCodecTimes(t *testing.T) {
	for _, want := range []time.Time{
		{},
		time.Date(2025, 3, 1, 23, 59, 59, 999_999_999, shanghai),
		time.Date(2025, 3, 1, 15, 59, 59, 1, time.UTC),
		time.Date(2025, 3, 1, 10, 0, 0, 0, time.FixedZone("EST", -5*3600)),
		time.Date(2025, 3, 1, 10, 0, 0, 0, time.FixedZone("", 5*3600+45*60)),
		time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, shanghai),
		time.Now(), // monotonic reading and Local
	} {
		o := pos.Order{Number: "t", CreatedAt: want}
		var got pos.Order
		if err := decodeOrderInto(&got, encodeOrder(&o), shanghai); err != nil {
			t.Fatal(err)
		}
		_, wantOff := want.Zone()
		_, gotOff := got.CreatedAt.Zone()
		if !got.CreatedAt.Equal(want) || gotOff != wantOff || got.CreatedAt.IsZero() != want.IsZero() {
			t.Errorf("time %v came back as %v", want, got.CreatedAt)
		}
		sameJSON(t, "time as JSON", got.CreatedAt, want)
	}
	// A time in the store's zone comes back in that zone, name and all.
	var got pos.Order
	o := pos.Order{CreatedAt: at(1, 9, 0, 0)}
	_ = decodeOrderInto(&got, encodeOrder(&o), shanghai)
	if got.CreatedAt.Location() != shanghai {
		t.Errorf("location = %v, want %v", got.CreatedAt.Location(), shanghai)
	}
}

func TestOrderCodecRefusesCorrupt(t *testing.T) {
	o := paidOrder("20250301-000001", at(1, 9, 0, 0))
	o.Refunds = []pos.Refund{{RefundNo: "R1", Amount: 100, CreatedAt: at(1, 10, 0, 0)}}
	v := encodeOrder(&o)
	for n := range len(v) {
		var got pos.Order
		if err := decodeOrderInto(&got, v[:n], shanghai); err == nil {
			t.Errorf("decoding the first %d of %d bytes succeeded", n, len(v))
		}
	}
	for name, bad := range map[string][]byte{
		"trailing bytes": append(encodeOrder(&o), 0),
		"unknown format": append([]byte{0x7f}, v[1:]...),
		"empty":          {},
		"bad JSON":       []byte("{\"number\":"),
	} {
		var got pos.Order
		if err := decodeOrderInto(&got, bad, shanghai); err == nil {
			t.Errorf("%s: decoding succeeded", name)
		}
	}
}

func TestOrderCodecReadsJSON(t *testing.T) {
	want := paidOrder("20250301-000001", at(1, 9, 0, 0))
	v, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got pos.Order
	if err := decodeOrderInto(&got, v, shanghai); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "order stored as JSON", got, want)
}

func FuzzDecodeOrder(f *testing.F) {
	o := paidOrder("20250301-000001", at(1, 9, 0, 0))
	f.Add(encodeOrder(&o))
	f.Add(encodeOrder(&pos.Order{}))
	f.Add([]byte{formatOrderV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, v []byte) {
		var got pos.Order
		if decodeOrderInto(&got, v, shanghai) != nil || v[0] == '{' {
			return
		}
		var again pos.Order
		if err := decodeOrderInto(&again, encodeOrder(&got), shanghai); err != nil {
			t.Fatalf("re-decoding a decoded order: %v", err)
		}
		if a, b := encodeOrder(&again), encodeOrder(&got); !bytes.Equal(a, b) {
			t.Fatalf("encoding is not stable:\n%x\n%x", a, b)
		}
	})
}

func TestOrderCodecReadsV1(t *testing.T) {
	var want pos.Order
	n := 0
	fill(t, reflect.ValueOf(&want).Elem(), "Order", &n)
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrderV1(&want), shanghai); err != nil {
		t.Fatal(err)
	}
	if want = beforeCounter(want); !reflect.DeepEqual(got, want) {
		t.Errorf("schema-1 value read back differently")
	}
}

// Times around a daylight-saving change in the store's zone, written
// relative to CreatedAt, come back with their own offsets.
func TestOrderCodecTimesAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data for Europe/Berlin")
	}
	created := time.Date(2025, 3, 30, 1, 59, 0, 5, berlin) // CET, one minute before CEST
	o := pos.Order{Number: "t", CreatedAt: created, UpdatedAt: created.Add(2 * time.Minute),
		Attempts: []pos.Attempt{{OutTradeNo: "tP01", CreatedAt: created.Add(time.Second), ExpiresAt: created.Add(5 * time.Minute).UTC(),
			UpdatedAt: created.Add(time.Hour).In(time.FixedZone("", 3600))}}}
	var got pos.Order
	if err := decodeOrderInto(&got, encodeOrder(&o), berlin); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]time.Time{{got.CreatedAt, o.CreatedAt}, {got.UpdatedAt, o.UpdatedAt},
		{got.Attempts[0].CreatedAt, o.Attempts[0].CreatedAt}, {got.Attempts[0].ExpiresAt, o.Attempts[0].ExpiresAt},
		{got.Attempts[0].UpdatedAt, o.Attempts[0].UpdatedAt}} {
		_, g := c[0].Zone()
		_, w := c[1].Zone()
		if !c[0].Equal(c[1]) || g != w {
			t.Errorf("time %v came back as %v", c[1], c[0])
		}
	}
	if got.UpdatedAt.Location() != berlin {
		t.Errorf("UpdatedAt location %v, want Berlin (its offset is Berlin's then)", got.UpdatedAt.Location())
	}
}

// A bulk decoder's orders do not share slices: appending to one order's
// lines leaves the next order alone.
func TestBulkDecodeSlicesAreSeparate(t *testing.T) {
	dec := newDecoder(shanghai, true)
	var got [2]pos.Order
	for i := range got {
		o := paidOrder(fmt.Sprintf("N%d", i), at(1, 9, 0, 0))
		if err := dec.order(&got[i], encodeOrder(&o)); err != nil {
			t.Fatal(err)
		}
	}
	got[0].Lines = append(got[0].Lines, pos.Line{SKU: "extra"})
	got[0].Attempts = append(got[0].Attempts, pos.Attempt{OutTradeNo: "extra"})
	if got[1].Lines[0].SKU != "tea-01" || got[1].Attempts[0].OutTradeNo != "N1A1" {
		t.Errorf("appending to order 0 changed order 1: %+v", got[1])
	}
}

func TestEventLogRoundTrip(t *testing.T) {
	evs := []pos.Event{
		{At: at(1, 9, 0, 0), Source: pos.SourceCashier, Kind: "created", Detail: "2 lines"},
		{At: at(1, 9, 0, 4).Add(123), Source: pos.SourcePoll, Kind: "paid", OutTradeNo: "N1P01", Detail: "paid ¥9.50"},
		{At: time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC), Source: "other", Kind: "something_new", OutTradeNo: "elsewhere"},
		{},
	}
	v, err := appendLog(nil, "N1", 3, evs[:2])
	if err != nil {
		t.Fatal(err)
	}
	if v, err = appendLog(v, "N1", 0, evs[2:]); err != nil {
		t.Fatal(err)
	}
	got, err := newDecoder(shanghai, false).log("N1", v)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		evs[i].OrderNumber, evs[i].Seq = "N1", uint64(3+i)
	}
	sameJSON(t, "events", got, evs)
	// A cut between records is a shorter log; a cut inside one is refused.
	for n := range len(v) {
		if part, err := newDecoder(shanghai, false).log("N1", v[:n]); err == nil && len(part) == len(evs) {
			t.Errorf("the first %d of %d bytes decode as the whole log", n, len(v))
		}
	}
}

func FuzzDecodeLog(f *testing.F) {
	v, _ := appendLog(nil, "N1", 1, []pos.Event{{At: at(1, 9, 0, 0), Kind: "created", Detail: "x"}})
	f.Add(v)
	f.Fuzz(func(t *testing.T, v []byte) {
		evs, err := newDecoder(shanghai, false).log("N1", v)
		if err != nil {
			return
		}
		if _, err := appendLog(v, "N1", 0, []pos.Event{{Kind: "more"}}); err != nil {
			t.Fatalf("appending to a log that decodes (%d events): %v", len(evs), err)
		}
	})
}
