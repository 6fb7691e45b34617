package storage

import (
	"strings"
	"time"

	"qrtill/pos"
)

// arenaChunk is the size of one chunk of a bulk decoder: the largest
// allocation Go still serves from its small-object spans, so a long list
// reuses freed memory instead of mapping (and zeroing) fresh pages.
const arenaChunk = 32 << 10

// decoder decodes stored values into orders and events. A bulk decoder
// (for a list) hands out strings and slices from shared chunks, so a day
// of 10,000 orders costs a few hundred allocations, not tens of
// thousands; the results share those chunks (a chunk stays in memory
// while any order from it does). One decoder per goroutine.
type decoder struct {
	zones    zoneCache
	bulk     bool
	strs     arena
	lines    []pos.Line
	attempts []pos.Attempt
	refunds  []pos.Refund
}

// newDecoder returns a decoder whose times come back in loc when their
// offset matches it.
func newDecoder(loc *time.Location, bulk bool) *decoder {
	d := &decoder{zones: zoneCache{loc: loc}, bulk: bulk}
	if bulk {
		d.strs.chunk = arenaChunk
	}
	return d
}

// chunk is how many elements of a slice to allocate at once.
func (d *decoder) chunk(n, bulkN int) int {
	if d.bulk {
		return max(n, bulkN)
	}
	return n
}

// take returns n elements of *from (capacity n, so an append by the caller
// copies instead of overwriting the next order's), refilling *from with
// chunk elements when it is short. -1 is nil; 0 is empty.
func take[T any](from *[]T, n, chunk int) []T {
	switch {
	case n < 0:
		return nil
	case n == 0:
		return []T{} // no allocation
	case len(*from) < n:
		*from = make([]T, chunk)
	}
	s := (*from)[:n:n]
	*from = (*from)[n:]
	return s
}

// arena hands out strings from chunks: copies of values read inside a
// transaction, and the joins the codec makes. Bytes written to a
// strings.Builder never change, so a string taken from it stays valid
// after later writes; a full chunk is left to the strings that use it.
type arena struct {
	b     strings.Builder
	chunk int
}

// copyOf returns v as a string in the arena.
func (a *arena) copyOf(v []byte) string {
	a.room(len(v))
	start := a.b.Len()
	a.b.Write(v)
	return a.b.String()[start:]
}

// join returns x+y from the arena.
func (a *arena) join(x, y string) string {
	a.room(len(x) + len(y))
	start := a.b.Len()
	a.b.WriteString(x)
	a.b.WriteString(y)
	return a.b.String()[start:]
}

// room starts a new chunk when n bytes do not fit in this one.
func (a *arena) room(n int) {
	if a.b.Cap()-a.b.Len() >= n {
		return
	}
	a.b = strings.Builder{}
	a.b.Grow(max(n, a.chunk))
}
