package pos

import (
	"sort"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// searchKey is a product's text, prepared once at load for Search.
type searchKey struct {
	sku      string     // lower case
	zh, en   string     // lower case, spaces removed
	barcodes []string   // lower case
	syllable [][]string // each Chinese character's readings (all of them: 长 is chang and zhang)
	initials uint32     // bit c-'a' set if some reading starts with c: a quick no for matchPinyin
}

// Match ranks of Search: lower is better.
const (
	rankExactCode = iota
	rankPrefix
	rankSubstring
	noMatch
)

func makeSearchKey(p Product) searchKey {
	k := searchKey{sku: strings.ToLower(p.SKU), zh: squash(p.NameZH), en: squash(p.NameEN)}
	for _, b := range p.Barcodes {
		k.barcodes = append(k.barcodes, strings.ToLower(b))
	}
	args := pinyin.NewArgs()
	args.Heteronym = true
	for _, r := range p.NameZH {
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		var readings []string
		for _, py := range pinyin.SinglePinyin(r, args) {
			if py == "" {
				continue
			}
			readings = appendNew(readings, py)
			if strings.Contains(py, "v") { // ü: people type lv or lu
				readings = appendNew(readings, strings.ReplaceAll(py, "v", "u"))
			}
		}
		if len(readings) > 0 {
			k.syllable = append(k.syllable, readings)
		}
		for _, py := range readings { // never empty
			if py[0] >= 'a' && py[0] <= 'z' {
				k.initials |= 1 << (py[0] - 'a')
			}
		}
	}
	return k
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// squash lower-cases s and drops its spaces, so "康师傅红烧" finds
// "康师傅 红烧牛肉面" and "braisedbeef" finds "Braised Beef".
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// Search finds up to limit products for what a cashier typed: a barcode
// or SKU, part of a name in either language, or pinyin — initials
// ("nfsq" finds 农夫山泉), whole syllables ("nongfu"), or a mix
// ("nfshanquan"). Case and spaces do not matter. Results come in a fixed
// order: an exact barcode or SKU first, then products where the query
// starts a name, SKU, barcode or the pinyin, then those that contain it;
// ties by SKU.
func (c *Catalog) Search(query string, limit int) []Product {
	q := squash(strings.Map(halfWidth, query))
	if q == "" || limit <= 0 {
		return nil
	}
	exact, hasExact := c.byCode[codeKey(q)]
	type hit struct{ rank, i int }
	var hits []hit
	for i := range c.search {
		rank := c.search[i].rank(q)
		if hasExact && i == exact {
			rank = rankExactCode
		}
		if rank != noMatch {
			hits = append(hits, hit{rank, i})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		return c.products[hits[a].i].SKU < c.products[hits[b].i].SKU
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Product, len(hits))
	for j, h := range hits {
		out[j] = c.products[h.i]
	}
	return out
}

// rank says how well q (squashed) matches the product.
func (k *searchKey) rank(q string) int {
	if strings.HasPrefix(k.sku, q) || strings.HasPrefix(k.zh, q) || strings.HasPrefix(k.en, q) {
		return rankPrefix
	}
	for _, b := range k.barcodes {
		if strings.HasPrefix(b, q) {
			return rankPrefix
		}
	}
	ascii := isASCIILetters(q) && k.initials&(1<<(q[0]-'a')) != 0
	if ascii && matchPinyin(k.syllable, q, true) {
		return rankPrefix
	}
	if strings.Contains(k.sku, q) || strings.Contains(k.zh, q) || strings.Contains(k.en, q) {
		return rankSubstring
	}
	if ascii && matchPinyin(k.syllable, q, false) {
		return rankSubstring
	}
	return noMatch
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// matchPinyin reports whether q spells consecutive characters of a name
// in pinyin, each character by its whole syllable or its initial (one
// letter, or zh/ch/sh), the last one possibly cut short: "nfsq",
// "nongfushanquan", "nfshanq". With atStart the match must begin at the
// first character. It is a small dynamic programme over (character,
// letters of q used), so heteronyms never blow up.
func matchPinyin(syl [][]string, q string, atStart bool) bool {
	n, m := len(syl), len(q)
	if n == 0 || m == 0 {
		return false
	}
	// reach[i*(m+1)+j]: characters before i spelled q[:j] from some start.
	var small [256]bool // most names and queries fit: no allocation
	var reach []bool
	if size := (n + 1) * (m + 1); size <= len(small) {
		reach = small[:size]
	} else {
		reach = make([]bool, size)
	}
	for i := 0; i < n; i++ {
		if i == 0 || !atStart {
			reach[i*(m+1)] = true
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if !reach[i*(m+1)+j] {
				continue
			}
			rest := q[j:]
			next := (i + 1) * (m + 1)
			for _, r := range syl[i] {
				if strings.HasPrefix(r, rest) {
					return true // q ends inside (or at the end of) this syllable
				}
				if strings.HasPrefix(rest, r) {
					reach[next+j+len(r)] = true
				}
				if rest[0] == r[0] {
					reach[next+j+1] = true
				}
				if len(r) > 2 && r[1] == 'h' && strings.HasPrefix(rest, r[:2]) {
					reach[next+j+2] = true
				}
			}
		}
		if reach[(i+1)*(m+1)+m] {
			return true
		}
	}
	return false
}
