package storage

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// The low-level pieces of the order value format (codec_order.go):
// varints, length-prefixed strings, times.

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

// Time kinds: the zero time, a UTC time, a time with its zone offset.
const (
	timeZero   = 0
	timeUTC    = 1
	timeOffset = 2
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

// reader decodes fields from one value. Strings share the value's one
// copy, so decoding allocates little. After the first error every read
// returns a zero value and err says what went wrong.
type reader struct {
	s   string
	off int
	err error
	loc *time.Location // preferred zone for times whose offset it matches
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errTruncated
	}
	r.off = len(r.s)
}

func (r *reader) uint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.off >= len(r.s) {
			r.fail()
			return 0
		}
		c := r.s[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.fail()
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

// zone is r.loc when it has offset off at t, else a fixed zone.
func (r *reader) zone(t time.Time, off int) *time.Location {
	if _, o := t.In(r.loc).Zone(); o == off {
		return r.loc
	}
	if z, ok := fixedZones.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := fixedZones.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

// fixedZones caches one *time.Location per offset seen.
var fixedZones sync.Map
