package kiosk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine outlives the tests: sessions,
// programs, watchers and the till all end when their test ends. The one
// exception is Bubble Tea v1's own timer goroutines (tea.Tick inside a
// batch), which cannot be cancelled and end by themselves within a tick
// (one second) after their program has quit.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/charmbracelet/bubbletea.Tick.func1"),
		goleak.IgnoreAnyFunction("github.com/charmbracelet/bubbletea.(*Program).execBatchMsg"),
	)
}
