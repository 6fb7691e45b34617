package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Styles are the till's looks, built for one renderer (one per SSH
// session), so colours follow that session's terminal. Every style the
// screens and their bubbles use is here.
type Styles struct {
	Title, Muted, Error, Total, Selected, Box, Paid, Warn, Key, Plain lipgloss.Style

	Help        help.Styles    // the help bar
	Spinner     lipgloss.Style // the pay screen's spinner
	Placeholder lipgloss.Style // the scan line's hint
	Cursor      lipgloss.Style // text inputs' cursor
}

// DefaultStyles builds the styles on a renderer.
func DefaultStyles(r *lipgloss.Renderer) Styles {
	return Styles{
		Title:    r.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		Muted:    r.NewStyle().Foreground(lipgloss.Color("8")),
		Error:    r.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		Total:    r.NewStyle().Bold(true),
		Selected: r.NewStyle().Reverse(true),
		Box:      r.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Paid:     r.NewStyle().Bold(true).Foreground(lipgloss.Color("10")),
		Warn:     r.NewStyle().Foreground(lipgloss.Color("11")),
		Key:      r.NewStyle().Bold(true),
		Plain:    r.NewStyle(),

		Help:        helpStyles(r),
		Spinner:     r.NewStyle(),
		Placeholder: r.NewStyle().Foreground(lipgloss.Color("240")),
		Cursor:      r.NewStyle(),
	}
}

// helpStyles are bubbles help's default colours, on the session's renderer.
func helpStyles(r *lipgloss.Renderer) help.Styles {
	key := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#909090", Dark: "#626262"})
	desc := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#B2B2B2", Dark: "#4A4A4A"})
	sep := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#DDDADA", Dark: "#3C3C3C"})
	return help.Styles{ShortKey: key, ShortDesc: desc, ShortSeparator: sep, Ellipsis: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep}
}
