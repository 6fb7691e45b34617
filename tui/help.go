package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// helpScreen lists every key of the till, grouped by screen, in as many
// columns as the width takes (so it fits 80×24). The root shows it over
// the active screen until the next key; in demo mode it also says where
// the sandbox and the data are.
type helpScreen struct {
	c *common
	frame
}

func newHelpScreen(c *common) *helpScreen { return &helpScreen{c: c} }

// Init does nothing.
func (h *helpScreen) Init() tea.Cmd { return nil }

// Update does nothing: the root closes help on the next key.
func (h *helpScreen) Update(tea.Msg) (tea.Model, tea.Cmd) { return h, nil }

// ShortHelp is the keys that leave help.
func (h *helpScreen) ShortHelp() []key.Binding {
	return []key.Binding{h.c.keys.Global.Help, h.c.keys.Global.Quit}
}

// FullHelp is every key of the till, grouped by screen.
func (h *helpScreen) FullHelp() [][]key.Binding { return h.c.keys.FullHelp() }

// helpGroups are the titles of FullHelp's groups.
var helpGroups = []string{"help.sale", "help.pay", "help.receipt", "help.book", "help.any"}

// View lays the groups out in columns.
func (h *helpScreen) View() string {
	st := h.c.styles
	var blocks []string
	for i, group := range h.FullHelp() {
		var b strings.Builder
		b.WriteString(st.Title.Render(h.c.t(helpGroups[i])))
		for _, kb := range group {
			if kb.Enabled() {
				b.WriteString("\n" + st.Key.Render(kb.Help().Key) + "  " + kb.Help().Desc)
			}
		}
		blocks = append(blocks, b.String())
	}
	demo := ""
	if d := h.c.demo; d.On {
		demo = "\n\n" + wrapCells(st.Muted.Render(h.c.t("help.demo")+" "+d.Sandbox+" · "+h.c.t("help.data")+" "+d.Data), h.width)
	}
	rows := h.height - 2 - lipgloss.Height(demo) + 1
	if h.height <= 0 {
		rows = 0
	}
	return st.Title.Render(h.c.t("help")) + "\n\n" + columns(blocks, h.width, rows) + demo
}

// columns lays blocks out top to bottom in as few columns as fit rows
// rows (0: one column), each column as wide as its widest block.
func columns(blocks []string, width, rows int) string {
	if rows <= 0 || width <= 0 {
		return strings.Join(blocks, "\n\n")
	}
	var cols [][]string
	var col []string
	height := 0
	for _, b := range blocks {
		bh := lipgloss.Height(b)
		if len(col) > 0 && height+1+bh > rows {
			cols, col, height = append(cols, col), nil, 0
		}
		if len(col) > 0 {
			height++
		}
		col, height = append(col, b), height+bh
	}
	cols = append(cols, col)
	parts := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, "   ")
		}
		parts = append(parts, strings.Join(c, "\n\n"))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, parts...)
}
