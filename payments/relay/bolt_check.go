package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// storeError is a store that cannot be opened, said in one sentence
// that names the file, what is wrong and the fix; kind is
// ErrStoreDamaged or ErrStoreInUse.
type storeError struct {
	msg  string
	kind error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.kind }

// fixDamaged is the end of every "damaged" sentence.
const fixDamaged = "restore relay.db from a backup, or move it away to start with an empty store (the tills' polling still finds the payments it held)"

func damaged(path, what string) error {
	return &storeError{msg: fmt.Sprintf("relay store %s %s: %s", path, what, fixDamaged), kind: ErrStoreDamaged}
}

func inUse(path string) error {
	return &storeError{
		msg:  fmt.Sprintf("relay store %s is in use by another process (another qrtill relay on this data dir?): stop it, or give this relay its own --data DIR", path),
		kind: ErrStoreInUse,
	}
}

// The bbolt v1.4 file header, read without mapping the file: each of the
// first two pages holds a page header (16 bytes) and a meta record.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltPageHeader = 16
	boltMetaSize   = 64 // magic … txid, then the checksum at 56
	boltNoFreelist = ^uint64(0)
	boltMetaPage   = 0x04 // the page flag of a meta page
)

// boltMeta is one meta record of a bbolt file.
type boltMeta struct {
	pageSize uint32
	root     uint64 // page of the root bucket
	freelist uint64
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

// parseMeta reads meta page id, b: its page header and the meta record
// after it; ok is false when the header does not name the page as meta
// page id, or the record's magic, version or checksum is wrong.
func parseMeta(b []byte, id uint64) (m boltMeta, magic, ok bool) {
	if len(b) < boltPageHeader+boltMetaSize {
		return m, false, false
	}
	le := binary.NativeEndian
	header := le.Uint64(b) == id && le.Uint16(b[8:]) == boltMetaPage
	b = b[boltPageHeader:]
	magic = le.Uint32(b) == boltMagic
	sum := fnv.New64a()
	sum.Write(b[:56])
	if !magic || !header || le.Uint32(b[4:]) != boltVersion || le.Uint64(b[56:]) != sum.Sum64() {
		return m, magic, false
	}
	m = boltMeta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]), pgid: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}
	return m, true, true
}

// fileState is what checkFile found.
type fileState int

const (
	fileAbsent         fileState = iota // a new store
	fileFreelistSynced                  // bbolt reads the freelist from its page
	fileFreelistWalked                  // bbolt rebuilds the freelist by walking the tree (older relays)
)

// checkFile looks at a store file before bbolt maps it: bbolt trusts
// the header, so a file cut short crashes the process with SIGSEGV and
// a random one gets a misleading error.
func checkFile(path string) (fileState, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileAbsent, nil
	}
	if err != nil {
		return 0, fmt.Errorf("open relay store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat relay store %s: %w", path, err)
	}
	switch {
	case !fi.Mode().IsRegular():
		return 0, damaged(path, "is not a regular file")
	case fi.Size() == 0:
		return 0, damaged(path, "is empty (0 bytes), so what it held is gone")
	}
	m, err := readMetas(f, fi.Size(), path)
	if err != nil {
		return 0, err
	}
	ps := uint64(m.pageSize)
	if ps < 1024 || ps&(ps-1) != 0 || m.pgid < 2 || m.root >= m.pgid || (m.freelist != boltNoFreelist && m.freelist >= m.pgid) {
		return 0, damaged(path, "has a header that does not add up")
	}
	if need := m.pgid * ps; uint64(fi.Size()) < need {
		return 0, damaged(path, fmt.Sprintf("is cut short (%d bytes; its pages need %d)", fi.Size(), need))
	}
	if m.freelist == boltNoFreelist {
		return fileFreelistWalked, nil
	}
	return fileFreelistSynced, nil
}

// readMetas finds the meta record bbolt would use: the valid one with
// the higher transaction id. Page 1 sits one page in, and the page size
// is in page 0's meta, or guessed as bbolt does when page 0 is damaged.
func readMetas(f io.ReaderAt, size int64, path string) (boltMeta, error) {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	m0, magic0, ok0 := parseMeta(buf[:n], 0)
	offsets := []int64{int64(m0.pageSize)}
	if !ok0 {
		offsets = offsets[:0]
		for i := range 15 {
			offsets = append(offsets, 1024<<i)
		}
	}
	var m1 boltMeta
	var magic1, ok1 bool
	for _, off := range offsets {
		if off >= size {
			break
		}
		n, _ := f.ReadAt(buf, off)
		if m, magic, ok := parseMeta(buf[:n], 1); ok {
			m1, magic1, ok1 = m, true, true
			break
		} else if magic {
			magic1 = true
		}
	}
	switch {
	case !ok0 && !ok1 && !magic0 && !magic1:
		return boltMeta{}, damaged(path, "is not a relay store (it has no bbolt header)")
	case !ok0 && !ok1:
		return boltMeta{}, damaged(path, "has a damaged header")
	case !ok1 || ok0 && m0.txid >= m1.txid:
		return m0, nil
	default:
		return m1, nil
	}
}
