package kiosk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine outlives the tests: sessions,
// programs, watchers and the till all end when their test ends. The one
// exceptions are Bubble Tea v1's own timer goroutines (tea.Tick inside a
// batch) and bubbles v1's cursor blink, which cannot be cancelled from
// outside and end by themselves within a tick (one second; the blink
// 530 ms) after their program has quit.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/charmbracelet/bubbletea.Tick.func1"),
		goleak.IgnoreAnyFunction("github.com/charmbracelet/bubbletea.(*Program).execBatchMsg"),
		goleak.IgnoreTopFunction("github.com/charmbracelet/bubbles/cursor.(*Model).BlinkCmd.func1"),
	)
}
