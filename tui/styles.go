package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Styles are the till's looks, built for one renderer (one per SSH
// session), so colours follow that session's terminal: every colour is
// an AdaptiveColor, dark on a light background and light on a dark one.
// Every style the screens and their bubbles use is here.
type Styles struct {
	Title, Muted, Error, Total, Selected, Paid, Warn, Key, Plain lipgloss.Style

	Banner lipgloss.Style // PAID across the whole width
	Demo   lipgloss.Style // the DEMO mark in the header
	Big    lipgloss.Style // big digits: totals, change, the daily number
	Status map[payState]lipgloss.Style

	Help        help.Styles    // the help bar
	Placeholder lipgloss.Style // the scan line's hint
	Cursor      lipgloss.Style // text inputs' cursor
}

// The palette: each colour for a light and a dark background.
var (
	colBlue     = lipgloss.AdaptiveColor{Light: "#1F4FA8", Dark: "#6CB6FF"}
	colTeal     = lipgloss.AdaptiveColor{Light: "#006D77", Dark: "#4FD1C5"}
	colViolet   = lipgloss.AdaptiveColor{Light: "#6B2FA8", Dark: "#C792EA"}
	colGreen    = lipgloss.AdaptiveColor{Light: "#1B7A1B", Dark: "#5FD75F"}
	colRed      = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	colAmber    = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFD75F"}
	colGrey     = lipgloss.AdaptiveColor{Light: "#5F5F5F", Dark: "#9E9E9E"}
	colBanner   = lipgloss.AdaptiveColor{Light: "#1B7A1B", Dark: "#2E8B57"}
	colOnFill   = lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#FFFFFF"}
	colSelect   = lipgloss.AdaptiveColor{Light: "#C9DDF7", Dark: "#264F78"}
	colOnSelect = lipgloss.AdaptiveColor{Light: "#000000", Dark: "#FFFFFF"}
)

// DefaultStyles builds the styles on a renderer.
func DefaultStyles(r *lipgloss.Renderer) Styles {
	fg := func(c lipgloss.TerminalColor) lipgloss.Style { return r.NewStyle().Foreground(c) }
	return Styles{
		Title:    fg(colBlue).Bold(true),
		Muted:    fg(colGrey),
		Error:    fg(colRed).Bold(true),
		Total:    r.NewStyle().Bold(true),
		Selected: r.NewStyle().Foreground(colOnSelect).Background(colSelect),
		Paid:     fg(colGreen).Bold(true),
		Warn:     fg(colAmber),
		Key:      r.NewStyle().Bold(true),
		Plain:    r.NewStyle(),

		Banner: r.NewStyle().Bold(true).Foreground(colOnFill).Background(colBanner),
		Demo:   r.NewStyle().Bold(true).Foreground(colOnFill).Background(colRed).Padding(0, 1),
		Big:    r.NewStyle().Bold(true),
		Status: map[payState]lipgloss.Style{
			stateChoosing: fg(colBlue).Bold(true),
			stateWaiting:  fg(colBlue).Bold(true),
			stateScanned:  fg(colTeal).Bold(true),
			statePassword: fg(colViolet).Bold(true),
			statePaid:     fg(colGreen).Bold(true),
			stateCancel:   fg(colGrey).Bold(true),
			stateExpired:  fg(colAmber).Bold(true),
			stateTrouble:  fg(colRed).Bold(true),
		},

		Help:        helpStyles(r),
		Placeholder: fg(colGrey),
		Cursor:      r.NewStyle(),
	}
}

// helpStyles are bubbles help's colours, on the session's renderer.
func helpStyles(r *lipgloss.Renderer) help.Styles {
	key := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#4A4A4A", Dark: "#B0B0B0"}).Bold(true)
	desc := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"})
	sep := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#B0B0B0", Dark: "#5A5A5A"})
	return help.Styles{ShortKey: key, ShortDesc: desc, ShortSeparator: sep, Ellipsis: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep}
}
