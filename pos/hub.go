package pos

import (
	"sync"
	"time"

	"qrtill/payments"
)

// Update is one change the till broadcasts to its screens: the order as
// stored after the change, the event that was appended (if any), and the
// latest poll result for the status pane (if this update came from a poll).
type Update struct {
	Order Order
	Event *Event
	Poll  *PollStatus
	// Save, when set, says the order book stopped (or started again)
	// taking the till's writes; Order is empty then.
	Save *SaveStatus
}

// PollStatus is what the status pane shows about the watcher of one
// attempt: the last query and its answer, and when the next one is due.
type PollStatus struct {
	OutTradeNo string
	Channel    payments.Channel
	At         time.Time      // when the last query answered (or failed)
	State      payments.State // last answer; empty if it failed
	RawCode    string
	Err        error         // non-nil when the last query failed (the screen words it)
	Failures   int           // consecutive failed queries
	NextIn     time.Duration // until the next query (0 if none is planned)
	Queries    int           // queries sent for this attempt so far
}

// mailboxSize bounds what a slow subscriber can hold; older updates are
// dropped first (each update carries the whole order, so the newest wins).
const mailboxSize = 256

// hub fans updates out to subscribers without ever blocking the till.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	mu     sync.Mutex
	queue  []Update
	wake   chan struct{}
	out    chan Update
	done   chan struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: make(map[*subscriber]struct{})} }

// subscribe returns a channel of updates and a function that ends the
// subscription and closes the channel.
func (h *hub) subscribe() (<-chan Update, func()) {
	s := &subscriber{wake: make(chan struct{}, 1), out: make(chan Update), done: make(chan struct{})}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go s.pump()
	var once sync.Once
	return s.out, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
			s.mu.Lock()
			already := s.closed // closeAll may have ended it first
			s.closed = true
			s.mu.Unlock()
			if !already {
				close(s.done)
			}
		})
	}
}

// publish queues u for every subscriber. It never blocks.
func (h *hub) publish(u Update) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.mu.Lock()
		if !s.closed {
			if len(s.queue) >= mailboxSize {
				s.queue = s.queue[1:]
			}
			s.queue = append(s.queue, u)
		}
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// closeAll ends every subscription.
func (h *hub) closeAll() {
	h.mu.Lock()
	subs := h.subs
	h.subs = make(map[*subscriber]struct{})
	h.mu.Unlock()
	for s := range subs {
		s.mu.Lock()
		already := s.closed
		s.closed = true
		s.mu.Unlock()
		if !already {
			close(s.done)
		}
	}
}

func (s *subscriber) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		var next *Update
		if len(s.queue) > 0 {
			u := s.queue[0]
			s.queue = s.queue[1:]
			next = &u
		}
		s.mu.Unlock()
		if next == nil {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.out <- *next:
		case <-s.done:
			return
		}
	}
}
