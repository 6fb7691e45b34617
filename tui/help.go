package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// helpScreen lists every key of the till, grouped by screen. The root
// shows it over the active screen (whose help bar stays below it) until
// the next key.
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

// View lists the keys, one a line, as "keys  what they do".
func (h *helpScreen) View() string {
	var b strings.Builder
	b.WriteString(h.c.styles.Title.Render(h.c.t("help")) + "\n\n")
	for _, group := range h.FullHelp() {
		for _, kb := range group {
			if kb.Enabled() {
				b.WriteString("  " + h.c.styles.Key.Render(strings.Join(kb.Keys(), "/")) + "  " + kb.Help().Desc + "\n")
			}
		}
	}
	return b.String()
}
