package relay

import (
	"slices"
	"sync"
)

// hub wakes a till's stream when a notification for it is stored, keeps
// one stream per till (a newer connection replaces an older one, so a
// half-dead connection never delivers twice), and ends every stream when
// the server closes.
type hub struct {
	mu     sync.Mutex
	wake   map[string]chan struct{} // till → closed when something new is stored
	conns  map[string]*streamConn   // till → its current stream
	closed chan struct{}
	once   sync.Once
}

// streamConn is one open stream; gone is closed when it must end.
type streamConn struct {
	gone chan struct{}
}

func newHub() *hub {
	return &hub{wake: map[string]chan struct{}{}, conns: map[string]*streamConn{}, closed: make(chan struct{})}
}

// waiter returns a channel closed at the next notify(till).
func (h *hub) waiter(till string) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.wake[till]
	if c == nil {
		c = make(chan struct{})
		h.wake[till] = c
	}
	return c
}

// notify wakes every stream waiting on till.
func (h *hub) notify(till string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c := h.wake[till]; c != nil {
		close(c)
		delete(h.wake, till)
	}
}

// attach registers a new stream for till, ending the previous one.
func (h *hub) attach(till string) *streamConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.conns[till]; old != nil {
		close(old.gone)
	}
	c := &streamConn{gone: make(chan struct{})}
	h.conns[till] = c
	return c
}

// detach forgets c if it is still till's current stream.
func (h *hub) detach(till string, c *streamConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[till] == c {
		delete(h.conns, till)
		close(c.gone)
	}
}

// connected lists the tills with an open stream, sorted.
func (h *hub) connected() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.conns))
	for till := range h.conns {
		out = append(out, till)
	}
	slices.Sort(out)
	return out
}

// close ends every stream, now and later.
func (h *hub) close() { h.once.Do(func() { close(h.closed) }) }
