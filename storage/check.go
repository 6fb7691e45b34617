package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// The order book file is checked before bbolt maps it, by reading it
// through its descriptor: bbolt trusts every page it maps, so a file cut
// short faults (SIGSEGV, not even a panic) and a page of garbage panics
// deep inside a read. What follows mirrors bbolt v1.4's file format
// (internal/common: meta.go, page.go, inbucket.go), in the machine's
// byte order as bbolt writes it.
const (
	pageHeaderSize = 16 // id u64, flags u16, count u16, overflow u32
	elementSize    = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	inBucketSize   = 16 // root pgid u64, sequence u64; an inline page follows when root is 0

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagMeta     = 0x04
	flagFreelist = 0x10
	flagBucket   = 0x01 // leaf element flag: the value is a bucket

	boltMagic   = 0xED0CDAED
	boltVersion = 2
	noFreelist  = ^uint64(0)
	maxDepth    = 64 // deeper than any real tree: a loop of pages
)

var ne = binary.NativeEndian

// DefaultCheckLimit is the largest file Open checks page by page when
// Options.CheckLimit is 0; a larger file gets its header, free list and
// bucket roots checked, and a damaged page is found when it is read.
const DefaultCheckLimit = 64 << 20

// damage is something wrong with the file, as the end of a sentence that
// starts "the order book FILE".
// panicked marks damage found by bbolt panicking.
type damage struct {
	what     string
	panicked bool
}

func (d *damage) Error() string { return d.what }

func damaged(format string, args ...any) error { return &damage{what: fmt.Sprintf(format, args...)} }

// boltMeta is the part of a bbolt meta page the check needs.
type boltMeta struct {
	pageSize            int
	root, freelist, hwm uint64
	txid                uint64
}

// fileCheck walks one bbolt file.
type fileCheck struct {
	r        io.ReaderAt
	pageSize int
	hwm      uint64
	seen     []byte // per page: 1 used, 2 free; nil in a light check
}

// checked is what checkFile found out.
type checked struct {
	full     bool // every page was checked
	bothMeta bool // both meta pages are valid (one torn by a crash is not damage)
}

// checkFile reports what is wrong with the bbolt file f of size bytes, as
// a *damage, or an I/O error. It checks the meta pages, that the file is
// as long as they say, the free list and the bucket roots; and, when the
// used part is at most limit bytes, every page: its id and type, every
// element inside it, keys in order, each page used once and every page
// either used or free.
func checkFile(f io.ReaderAt, size, limit int64) (checked, error) {
	if size == 0 {
		return checked{}, damaged("is empty (0 bytes)")
	}
	m, both, err := readMetas(f, size)
	if err != nil {
		return checked{}, err
	}
	res := checked{full: int64(m.hwm)*int64(m.pageSize) <= limit, bothMeta: both}
	return res, walkFile(f, m, size, res.full)
}

// walkFile is checkFile after the meta pages.
func walkFile(f io.ReaderAt, m boltMeta, size int64, full bool) error {
	if need := int64(m.hwm) * int64(m.pageSize); size < need {
		return damaged("is cut short: %d bytes of the %d its header counts", size, need)
	}
	c := &fileCheck{r: f, pageSize: m.pageSize, hwm: m.hwm}
	if full {
		c.seen = make([]byte, m.hwm)
		c.seen[0], c.seen[1] = 1, 1
	}
	if m.freelist != noFreelist {
		if err := c.freelist(m.freelist); err != nil {
			return err
		}
	}
	depth := maxDepth
	if !full {
		depth = 1 // the root page and each bucket's root page
	}
	if err := c.walk(m.root, depth); err != nil {
		return err
	}
	for id, s := range c.seen {
		if s == 0 {
			return damaged("has a damaged page %d (neither used nor free)", id)
		}
	}
	return nil
}

// readMetas finds the newest valid meta page, as bbolt picks it, and
// reports whether both are valid.
func readMetas(r io.ReaderAt, size int64) (boltMeta, bool, error) {
	m0, ok0, head0 := readMeta(r, 0, 0)
	sizes := []int{os.Getpagesize(), 4096, 1024, 2048, 8192, 16384, 32768, 65536}
	if ok0 {
		sizes = []int{m0.pageSize}
	}
	var m1 boltMeta
	ok1, head1 := false, false
	for _, ps := range sizes {
		if m1, ok1, head1 = readMeta(r, int64(ps), 1); ok1 && m1.pageSize == ps {
			break
		}
		ok1 = false
	}
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m0 = m1
	case !ok0:
		return boltMeta{}, false, damaged("has no valid header page (is it a qrtill order book?)")
	}
	if m0.hwm < 4 || m0.root < 2 || m0.root >= m0.hwm || (m0.freelist != noFreelist && (m0.freelist < 2 || m0.freelist >= m0.hwm)) {
		return boltMeta{}, false, damaged("has a damaged header page (root %d, free list %d, %d pages)", m0.root, m0.freelist, m0.hwm)
	}
	if int64(m0.pageSize)*2 > size {
		return boltMeta{}, false, damaged("is cut short: %d bytes", size)
	}
	return m0, ok0 && ok1 && head0 && head1, nil
}

// readMeta reads and validates the meta page id at off, as bbolt does:
// magic, version, checksum (and a sane page size). head reports whether
// its page header is right too (bbolt's tx.Check asserts it).
func readMeta(r io.ReaderAt, off int64, id uint64) (m boltMeta, ok, head bool) {
	var b [pageHeaderSize + 64]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return boltMeta{}, false, false
	}
	head = ne.Uint64(b[0:]) == id && ne.Uint16(b[8:]) == flagMeta
	h := fnv.New64a()
	h.Write(b[16:72])
	v := b[16:]
	ps := int(ne.Uint32(v[8:]))
	if ne.Uint32(v[0:]) != boltMagic || ne.Uint32(v[4:]) != boltVersion || ne.Uint64(v[56:]) != h.Sum64() ||
		ps < 512 || ps > 1<<20 || ps&(ps-1) != 0 {
		return boltMeta{}, false, head
	}
	return boltMeta{pageSize: ps, root: ne.Uint64(v[16:]), freelist: ne.Uint64(v[32:]),
		hwm: ne.Uint64(v[40:]), txid: ne.Uint64(v[48:])}, true, head
}

// page reads page id with its overflow pages and checks its header.
func (c *fileCheck) page(id uint64, mark byte) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, damaged("has a damaged page (a link to page %d, outside its %d pages)", id, c.hwm)
	}
	buf := make([]byte, c.pageSize)
	if err := c.read(buf, id); err != nil {
		return nil, err
	}
	if got := ne.Uint64(buf); got != id {
		return nil, damaged("has a damaged page %d (it calls itself page %d)", id, got)
	}
	over := uint64(ne.Uint32(buf[12:]))
	if over >= c.hwm-id {
		return nil, damaged("has a damaged page %d (%d overflow pages)", id, over)
	}
	if over > 0 {
		buf = append(buf, make([]byte, int(over)*c.pageSize)...)
		if err := c.read(buf[c.pageSize:], id+1); err != nil {
			return nil, err
		}
	}
	if c.seen != nil {
		for p := id; p <= id+over; p++ {
			if c.seen[p] != 0 {
				return nil, damaged("has a damaged page %d (used twice)", p)
			}
			c.seen[p] = mark
		}
	}
	return buf, nil
}

func (c *fileCheck) read(buf []byte, id uint64) error {
	if _, err := c.r.ReadAt(buf, int64(id)*int64(c.pageSize)); err != nil {
		return damaged("cannot be read at page %d (%v)", id, err)
	}
	return nil
}

// freelist checks the free list page: its type and every id in it.
func (c *fileCheck) freelist(id uint64) error {
	p, err := c.page(id, 1)
	if err != nil {
		return err
	}
	if flags := ne.Uint16(p[8:]); flags != flagFreelist {
		return damaged("has a damaged free list (page %d has type %#x)", id, flags)
	}
	n, ids := uint64(ne.Uint16(p[10:])), p[pageHeaderSize:]
	if n == 0xFFFF {
		n, ids = ne.Uint64(ids), ids[8:]
	}
	if n > uint64(len(ids)/8) {
		return damaged("has a damaged free list (%d ids on page %d)", n, id)
	}
	for i := range n {
		free := ne.Uint64(ids[i*8:])
		if free < 2 || free >= c.hwm {
			return damaged("has a damaged free list (free page %d of %d)", free, c.hwm)
		}
		if c.seen != nil {
			if c.seen[free] != 0 {
				return damaged("has a damaged free list (page %d listed twice or in use)", free)
			}
			c.seen[free] = 2
		}
	}
	return nil
}

// walk checks the page id and, depth allowing, the pages below it.
func (c *fileCheck) walk(id uint64, depth int) error {
	if depth < 0 {
		return nil
	}
	p, err := c.page(id, 1)
	if err != nil {
		return err
	}
	switch flags := ne.Uint16(p[8:]); flags {
	case flagLeaf:
		return c.leaf(id, p, depth)
	case flagBranch:
		return c.branch(id, p, depth)
	default:
		return damaged("has a damaged page %d (type %#x)", id, flags)
	}
}

// elements returns the element count of page p after checking the
// element headers fit.
func elements(id uint64, p []byte) (int, error) {
	n := int(ne.Uint16(p[10:]))
	if pageHeaderSize+n*elementSize > len(p) {
		return 0, damaged("has a damaged page %d (%d elements)", id, n)
	}
	return n, nil
}

// entry slices n bytes at off from element i's own offset in p.
func entry(id uint64, p []byte, i int, off uint32, n uint64) ([]byte, error) {
	start := uint64(pageHeaderSize+i*elementSize) + uint64(off)
	if start+n > uint64(len(p)) {
		return nil, damaged("has a damaged page %d (element %d points past the page)", id, i)
	}
	return p[start : start+uint64(n)], nil
}

func (c *fileCheck) branch(id uint64, p []byte, depth int) error {
	n, err := elements(id, p)
	if err != nil || n == 0 {
		return orDamaged(err, id, "an empty branch")
	}
	var prev []byte
	for i := range n {
		e := p[pageHeaderSize+i*elementSize:]
		key, err := entry(id, p, i, ne.Uint32(e), uint64(ne.Uint32(e[4:])))
		if err != nil {
			return err
		}
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return damaged("has a damaged page %d (keys out of order)", id)
		}
		prev = key
		if err := c.walk(ne.Uint64(e[8:]), depth-1); err != nil {
			return err
		}
	}
	return nil
}

func (c *fileCheck) leaf(id uint64, p []byte, depth int) error {
	n, err := elements(id, p)
	if err != nil {
		return err
	}
	var prev []byte
	for i := range n {
		e := p[pageHeaderSize+i*elementSize:]
		ksize, vsize := ne.Uint32(e[8:]), ne.Uint32(e[12:])
		kv, err := entry(id, p, i, ne.Uint32(e[4:]), uint64(ksize)+uint64(vsize))
		if err != nil {
			return err
		}
		key, value := kv[:ksize], kv[ksize:]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return damaged("has a damaged page %d (keys out of order)", id)
		}
		prev = key
		if ne.Uint32(e)&flagBucket == 0 {
			continue
		}
		if err := c.bucket(id, value, depth); err != nil {
			return err
		}
	}
	return nil
}

// bucket checks a bucket value: its root page, or its inline page.
func (c *fileCheck) bucket(id uint64, v []byte, depth int) error {
	if len(v) < inBucketSize {
		return damaged("has a damaged page %d (a bucket of %d bytes)", id, len(v))
	}
	if root := ne.Uint64(v); root != 0 {
		return c.walk(root, depth-1)
	}
	inline := v[inBucketSize:]
	if len(inline) < pageHeaderSize || ne.Uint16(inline[8:]) != flagLeaf {
		return damaged("has a damaged page %d (a bad inline bucket)", id)
	}
	return c.leaf(id, inline, depth)
}

// orDamaged is err, or else a damage of page id saying what.
func orDamaged(err error, id uint64, what string) error {
	if err != nil {
		return err
	}
	return damaged("has a damaged page %d (%s)", id, what)
}
