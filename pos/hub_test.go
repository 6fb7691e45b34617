package pos

import (
	"testing"
	"time"
)

func TestHubDeliversInOrderAndEnds(t *testing.T) {
	h := newHub()
	ch, stop := h.subscribe()
	for i := range 3 {
		h.publish(Update{Order: Order{Number: string(rune('a' + i))}})
	}
	for i := range 3 {
		select {
		case u := <-ch:
			if u.Order.Number != string(rune('a'+i)) {
				t.Fatalf("update %d is %q", i, u.Order.Number)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
		}
	}
	stop()
	stop() // twice is fine
	if _, ok := <-ch; ok {
		t.Fatal("channel still open after stop")
	}
}

// The till shutting down (closeAll) before a screen lets go (stop) must
// not panic: an SSH session can end after the server stopped the till.
func TestHubCloseAllThenStop(t *testing.T) {
	h := newHub()
	ch, stop := h.subscribe()
	h.closeAll()
	stop()
	if _, ok := <-ch; ok {
		t.Fatal("channel still open after closeAll")
	}
	h.publish(Update{}) // no subscribers left: nothing to do, no panic
}

func TestHubSlowSubscriberNeverBlocksThePublisher(t *testing.T) {
	h := newHub()
	_, stop := h.subscribe()
	defer stop()
	done := make(chan struct{})
	go func() {
		for range mailboxSize * 3 {
			h.publish(Update{})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publish blocked on a subscriber that never reads")
	}
}
