package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"time"
)

// The low-level pieces of the value formats (codec_order.go,
// codec_event.go): varints, length-prefixed strings, words from a table,
// strings that share a prefix with another, times.

// errTruncated means a stored value ended early or is corrupt.
var errTruncated = errors.New("value is truncated or corrupt")

// writer appends encoded fields to a buffer.
type writer struct{ b []byte }

func (w *writer) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }

func (w *writer) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// count writes a slice length so that nil (0) and empty (1) differ.
func (w *writer) count(n int, isNil bool) {
	if isNil {
		w.uint(0)
		return
	}
	w.uint(uint64(n) + 1)
}

// word writes s as its 1-based index in table, or 0 and s itself.
// Tables only ever grow at the end: the index is stored.
func (w *writer) word(s string, table []string) {
	for i, t := range table {
		if t == s {
			w.uint(uint64(i) + 1)
			return
		}
	}
	w.uint(0)
	w.str(s)
}

// rel writes s as the length of the prefix it shares with base, then the
// rest: "…P01" after its order number costs 5 bytes, not 27.
func (w *writer) rel(s, base string) {
	n := 0
	for n < len(s) && n < len(base) && s[n] == base[n] {
		n++
	}
	w.uint(uint64(n))
	w.str(s[n:])
}

// prefixed writes s as the 1-based index of the longest prefix of table
// it starts with (0 for none), then the rest.
func (w *writer) prefixed(s string, table []string) {
	best := -1
	for i, p := range table {
		if strings.HasPrefix(s, p) && (best < 0 || len(p) > len(table[best])) {
			best = i
		}
	}
	w.uint(uint64(best + 1))
	if best >= 0 {
		s = s[len(table[best]):]
	}
	w.str(s)
}

// Time kinds: the zero time, a UTC time, a time with its zone offset, and
// a time given as nanoseconds after a base time with the same offset.
const (
	timeZero   = 0
	timeUTC    = 1
	timeOffset = 2
	timeAfter  = 3
)

// time keeps the instant and the zone offset (like RFC 3339), not the
// zone's name or the monotonic clock.
func (w *writer) time(t time.Time) {
	switch {
	case t.IsZero():
		w.b = append(w.b, timeZero)
		return
	case t.Location() == time.UTC:
		w.b = append(w.b, timeUTC)
	default:
		w.b = append(w.b, timeOffset)
	}
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
	if t.Location() != time.UTC {
		_, off := t.Zone()
		w.int(int64(off))
	}
}

// timeAfter writes t relative to base when both are set, share their
// offset and kind (UTC or not) and lie within ±292 years; else in full.
func (w *writer) timeAfter(t, base time.Time) {
	if t.IsZero() || base.IsZero() || (t.Location() == time.UTC) != (base.Location() == time.UTC) {
		w.time(t)
		return
	}
	_, off := t.Zone()
	_, baseOff := base.Zone()
	d := t.Sub(base)
	if off != baseOff || d == math.MaxInt64 || d == math.MinInt64 {
		w.time(t)
		return
	}
	w.b = append(w.b, timeAfter)
	w.int(int64(d))
}

// reader decodes fields from one value. Strings share the value's one
// copy, so decoding allocates little. After the first error every read
// returns a zero value and err says what went wrong.
type reader struct {
	s   string
	off int
	err error
	d   *decoder // zones and joins; nil: fixed zones, plain joins
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errTruncated
	}
	r.off = len(r.s)
}

// uint reads a uvarint. It is small enough to be inlined at every
// field, which makes decoding a list about twice as fast.
func (r *reader) uint() (v uint64) {
	for shift := uint(0); r.off < len(r.s) && shift < 64; shift += 7 {
		c := r.s[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.off, r.err = len(r.s), errTruncated
	return 0
}

func (r *reader) int() int64 {
	u := r.uint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *reader) str() string {
	n := r.uint()
	if n > uint64(len(r.s)-r.off) {
		r.fail()
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

// count reads a slice length written by writer.count: -1 for nil.
func (r *reader) count() int {
	n := r.uint()
	if n > uint64(len(r.s)-r.off)+1 { // every element takes at least a byte
		r.fail()
		return -1
	}
	return int(n) - 1
}

// word reads what writer.word wrote with the same table.
func (r *reader) word(table []string) string {
	i := r.uint()
	switch {
	case i == 0:
		return r.str()
	case i <= uint64(len(table)):
		return table[i-1]
	}
	r.fail()
	return ""
}

// rel reads what writer.rel wrote against the same base. It allocates
// only when s is longer than the shared prefix.
func (r *reader) rel(base string) string {
	n := r.uint()
	if n > uint64(len(base)) {
		r.fail()
		return ""
	}
	rest := r.str()
	if rest == "" {
		return base[:n]
	}
	if n == 0 {
		return rest
	}
	return r.join(base[:n], rest)
}

// join is x+y, from the decoder's arena when there is one.
func (r *reader) join(x, y string) string {
	if r.d == nil {
		return x + y
	}
	return r.d.strs.join(x, y)
}

// prefixed reads what writer.prefixed wrote with the same table.
func (r *reader) prefixed(table []string) string {
	i := r.uint()
	if i > uint64(len(table)) {
		r.fail()
		return ""
	}
	rest := r.str()
	if i == 0 {
		return rest
	}
	return r.join(table[i-1], rest)
}

func (r *reader) time() time.Time {
	if r.off >= len(r.s) {
		r.fail()
		return time.Time{}
	}
	kind := r.s[r.off]
	r.off++
	if kind == timeZero {
		return time.Time{}
	}
	sec, nsec := r.int(), r.uint()
	if nsec >= 1e9 {
		r.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	switch kind {
	case timeUTC:
		return t.UTC()
	case timeOffset:
		return t.In(r.zone(t, int(r.int())))
	}
	r.fail()
	return time.Time{}
}

// timeAfter reads what writer.timeAfter wrote against the same base.
func (r *reader) timeAfter(base time.Time) time.Time {
	if r.off >= len(r.s) {
		r.fail()
		return time.Time{}
	}
	if r.s[r.off] != timeAfter {
		return r.time()
	}
	r.off++
	d := r.int()
	if base.IsZero() {
		r.fail()
		return time.Time{}
	}
	t := base.Add(time.Duration(d))
	if base.Location() == time.UTC {
		return t
	}
	_, off := base.Zone()
	return t.In(r.zone(t, off))
}

// zone is the store's zone when it has offset off at t, else a fixed zone.
func (r *reader) zone(t time.Time, off int) *time.Location {
	if r.d != nil && r.d.zones.has(t, off) {
		return r.d.zones.loc
	}
	if z, ok := fixedZones.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := fixedZones.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

// fixedZones caches one *time.Location per offset seen.
var fixedZones sync.Map

// zoneCache answers "does loc have offset off at t" from the last zone
// period it looked up, so a day of times costs one lookup, not one each.
// One per decoding goroutine: it is not safe for concurrent use.
type zoneCache struct {
	loc        *time.Location
	valid      bool
	start, end int64 // the period [start, end) in Unix seconds
	off        int
}

func (z *zoneCache) has(t time.Time, off int) bool {
	sec := t.Unix()
	if !z.valid || sec < z.start || sec >= z.end {
		in := t.In(z.loc)
		_, z.off = in.Zone()
		start, end := in.ZoneBounds()
		z.start, z.end = int64(math.MinInt64), int64(math.MaxInt64)
		if !start.IsZero() {
			z.start = start.Unix()
		}
		if !end.IsZero() {
			z.end = end.Unix()
		}
		z.valid = true
	}
	return off == z.off
}
