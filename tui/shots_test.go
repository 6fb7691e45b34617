package tui_test

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"qrtill/tui"
)

// TestScreenshots writes the README's screenshots as HTML pages, one
// terminal cell a fixed box, when QRTILL_SCREENSHOTS names a directory
// (scripts/screenshots.sh turns them into PNGs with headless Chromium).
// The pages come from the real screens, drawn as the goldens are.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("QRTILL_SCREENSHOTS")
	if dir == "" {
		t.Skip("set QRTILL_SCREENSHOTS=DIR to write the screenshots")
	}
	shots := []struct {
		name, screen string
		w, h         int
		lang         tui.Lang
		dark         bool
	}{
		{"sale", "sale", 80, 24, tui.English, true},
		{"pay-qr", "pay_waiting", 80, 24, tui.English, true},
		{"paid", "receipt", 80, 24, tui.English, true},
		{"cash-change", "receipt_cash", 80, 24, tui.English, false},
		{"code-password", "pay_password", 80, 24, tui.English, true},
		{"orders", "orders", 120, 40, tui.English, false},
		{"report", "report", 80, 24, tui.English, true},
		{"sale-zh", "sale", 80, 24, tui.Chinese, true},
		{"pay-qr-zh-light", "pay_waiting", 80, 24, tui.Chinese, false},
		{"help", "help", 80, 24, tui.English, true},
		{"portrait", "pay_waiting", 46, 64, tui.English, true},
	}
	for _, s := range shots {
		m := paletteModel(t, s.w, s.h, s.lang, s.dark)
		goldenScreens[s.screen](t, m)
		page := termPage(m.View(), s.w, s.h, s.dark)
		if err := os.WriteFile(filepath.Join(dir, s.name+".html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Terminal pictures: each cell a box of cellW×cellH pixels, CJK two.
const (
	cellW = 10
	cellH = 20
)

// termPage draws a screen's ANSI text as an HTML page of fixed cells,
// in the xterm 256-colour palette, on a dark or light terminal.
func termPage(view string, cols, rows int, dark bool) string {
	bg, fg := "#1e1e1e", "#d4d4d4"
	if !dark {
		bg, fg = "#fbfbf8", "#1e1e1e"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:%s}
.t{position:relative;width:%dpx;height:%dpx;padding:16px;font:16px "DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace;color:%s}
.c{position:absolute;height:%dpx;line-height:%dpx;text-align:center;white-space:pre}
.b{font-weight:bold}
</style><div class="t">`, bg, cols*cellW, rows*cellH, fg, cellH, cellH)
	for y, line := range strings.Split(view, "\n") {
		if y >= rows {
			break
		}
		termLine(&b, line, y)
	}
	b.WriteString("</div>")
	return b.String()
}

// cellStyle is the SGR state of a cell.
type cellStyle struct {
	fg, bg        string
	bold, reverse bool
}

// termLine writes one line's cells.
func termLine(b *strings.Builder, line string, y int) {
	var st cellStyle
	x := 0
	for i := 0; i < len(line); {
		if strings.HasPrefix(line[i:], "\x1b[") {
			end := strings.IndexByte(line[i:], 'm')
			if end < 0 {
				return
			}
			st = applySGR(st, line[i+2:i+end])
			i += end + 1
			continue
		}
		r, size := []rune(line[i:])[0], len(string([]rune(line[i:])[0]))
		i += size
		w := lipgloss.Width(string(r))
		if w == 0 {
			continue
		}
		writeCell(b, r, x, y, w, st)
		x += w
	}
}

// writeCell draws one character in its box; half blocks are painted, so
// a QR is exact whatever the font.
func writeCell(b *strings.Builder, r rune, x, y, w int, st cellStyle) {
	fg, bg := st.fg, st.bg
	if st.reverse {
		fg, bg = orDefault(bg, "#1e1e1e"), orDefault(fg, "#d4d4d4")
	}
	style := fmt.Sprintf("left:%dpx;top:%dpx;width:%dpx", 16+x*cellW, 16+y*cellH, w*cellW)
	ink := orDefault(fg, "currentColor")
	paint := orDefault(bg, "transparent")
	text := html.EscapeString(string(r))
	switch r {
	case '█':
		paint, text = ink, ""
	case '▀':
		style += fmt.Sprintf(";background:linear-gradient(%s 50%%,%s 50%%)", ink, paint)
		paint, text = "", ""
	case '▄':
		style += fmt.Sprintf(";background:linear-gradient(%s 50%%,%s 50%%)", paint, ink)
		paint, text = "", ""
	}
	if paint != "" {
		style += ";background:" + paint
	}
	if fg != "" {
		style += ";color:" + fg
	}
	class := "c"
	if st.bold {
		class += " b"
	}
	fmt.Fprintf(b, `<span class="%s" style="%s">%s</span>`, class, style, text)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// applySGR applies one SGR sequence's parameters.
func applySGR(st cellStyle, params string) cellStyle {
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		switch ps[i] {
		case "", "0":
			st = cellStyle{}
		case "1":
			st.bold = true
		case "22":
			st.bold = false
		case "7":
			st.reverse = true
		case "27":
			st.reverse = false
		case "39":
			st.fg = ""
		case "49":
			st.bg = ""
		case "38", "48":
			if i+2 < len(ps) && ps[i+1] == "5" {
				n, _ := strconv.Atoi(ps[i+2])
				if ps[i] == "38" {
					st.fg = xterm256(n)
				} else {
					st.bg = xterm256(n)
				}
				i += 2
			}
		}
	}
	return st
}

// xterm256 is the RGB of an xterm 256-colour index.
func xterm256(n int) string {
	base := []string{"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
		"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"}
	switch {
	case n < 16:
		return base[n]
	case n < 232:
		n -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + v*40
		}
		return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6))
	}
	g := 8 + (n-232)*10
	return fmt.Sprintf("#%02x%02x%02x", g, g, g)
}
