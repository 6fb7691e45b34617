package tui

import "strings"

// Big digits for what a cashier (and the customer) must read from a step
// away: totals, change, the daily number. Each glyph is a 3×5 pixel
// bitmap drawn two cells wide per pixel and two pixels per cell row with
// half blocks (▀ ▄ █), so a digit is 6 cells wide and 3 rows tall.
var bigGlyphs = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", "###", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", "..#", "..#", "..#"},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'.': {".", ".", ".", ".", "#"},
	',': {".", ".", ".", "#", "#"},
	'¥': {"#.#", "#.#", ".#.", "###", ".#."},
	'#': {"#.#", "###", "#.#", "###", "#.#"},
	'-': {"...", "...", "###", "...", "..."},
	' ': {".", ".", ".", ".", "."},
}

// bigRows is how many terminal rows big text takes.
const bigRows = 3

// bigText draws s in big glyphs: bigRows lines of equal width (in
// cells). Characters without a glyph are left out.
func bigText(s string) string {
	var rows [bigRows]strings.Builder
	first := true
	for _, r := range s {
		g, ok := bigGlyphs[r]
		if !ok {
			continue
		}
		if !first {
			for i := range rows {
				rows[i].WriteString("  ")
			}
		}
		first = false
		for i := range rows {
			top := g[2*i]
			bottom := strings.Repeat(".", len(top))
			if 2*i+1 < len(g) {
				bottom = g[2*i+1]
			}
			for x := range len(top) {
				cell := halfBlock(top[x] == '#', bottom[x] == '#')
				rows[i].WriteString(cell + cell)
			}
		}
	}
	return rows[0].String() + "\n" + rows[1].String() + "\n" + rows[2].String()
}

// halfBlock is the cell for a top and a bottom pixel.
func halfBlock(top, bottom bool) string {
	switch {
	case top && bottom:
		return "█"
	case top:
		return "▀"
	case bottom:
		return "▄"
	}
	return " "
}
