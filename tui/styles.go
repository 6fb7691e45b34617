package tui

import "github.com/charmbracelet/lipgloss"

// Styles are the till's looks, built for one renderer (one per SSH session).
type Styles struct {
	Title, Muted, Error, Total, Selected, Box, Paid, Warn, Key, Plain lipgloss.Style
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
	}
}
