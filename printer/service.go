package printer

import (
	"context"
	"fmt"
	"sync"
)

// MaxQueue is how many jobs may wait for the printer; more are refused
// with ErrQueueFull rather than piling up while it is off.
const MaxQueue = 16

// Service prints in the background. Print and Retry only queue a job and
// return at once, so printing never blocks or fails a sale; one worker
// sends the jobs in order and reports each outcome through the report
// function, from its own goroutine (never from inside Print).
type Service struct {
	cfg    Config
	tr     Transport // nil: no printer set up
	report func(Outcome)

	mu     sync.Mutex
	queue  []*job
	busy   bool // a job is being sent
	last   *job // the last finished job that Retry would print again
	nextID int
	closed bool

	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// job is one document on its way to the printer.
type job struct {
	id   int
	doc  Document
	data []byte
	err  error // once finished
}

// Outcome is what became of one job.
type Outcome struct {
	Job      int      // the number Print or Retry returned
	Document Document // what was printed
	Printer  string   // where
	Err      error    // nil when it printed
}

// Sentence words the outcome for the cashier: "Printed receipt No. 12."
// or what went wrong and what to do.
func (o Outcome) Sentence(l Lang) string {
	if o.Err != nil {
		return Sentence(o.Err, l)
	}
	if _, ok := o.Document.(DrawerKick); ok {
		return pick(l, "Opened the cash drawer.", "已打开钱箱。")
	}
	return pick(l, "Printed %s.", "已打印%s。", o.Document.Name(l))
}

// NewService checks the settings, opens the transport (an empty address
// means no printer: every job is refused with ErrNoPrinter) and starts
// the worker. report receives every job's outcome; it must not block
// for long (send to a channel, or a Bubble Tea program's Send).
func NewService(cfg Config, report func(Outcome)) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var tr Transport
	if cfg.Address != "" {
		var err error
		if tr, err = Open(cfg.Address); err != nil {
			return nil, err
		}
	}
	return NewServiceOn(tr, cfg, report), nil
}

// NewServiceOn starts a service on a transport of the caller's (nil for
// none); cfg.Address is not used.
func NewServiceOn(tr Transport, cfg Config, report func(Outcome)) *Service {
	if report == nil {
		report = func(Outcome) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{cfg: cfg.withDefaults(), tr: tr, report: report,
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go s.run()
	return s
}

// Auto reports whether receipts print as soon as a sale is paid.
func (s *Service) Auto() bool { return s.cfg.Auto }

// Width is the paper width jobs are laid out for.
func (s *Service) Width() Width { return s.cfg.Width }

// Printer names the printer ("" when none is set up).
func (s *Service) Printer() string {
	if s.tr == nil {
		return ""
	}
	return s.tr.String()
}

// Print lays the document out and queues it. It returns the job's
// number at once; the outcome comes through the report function. It
// fails only when the job cannot be queued (no printer, queue full,
// shutting down) or laid out.
func (s *Service) Print(doc Document) (int, error) {
	data, err := doc.Render(s.cfg.Width)
	if err != nil {
		return 0, fmt.Errorf("lay out %s: %w", doc.Name(English), err)
	}
	return s.enqueue(doc, data)
}

// Retry prints the last finished job again (F9): the same bytes when it
// failed (a cash receipt then still opens the drawer), or a copy when it
// printed. It refuses while a job is waiting or printing (ErrBusy).
func (s *Service) Retry() (int, error) {
	s.mu.Lock()
	last, busy := s.last, s.busy || len(s.queue) > 0
	s.mu.Unlock()
	switch {
	case busy:
		return 0, ErrBusy
	case last == nil:
		return 0, ErrNothingToRetry
	case last.err != nil:
		return s.enqueue(last.doc, last.data)
	}
	return s.Print(last.doc.Again())
}

// OpenDrawer opens the cash drawer without printing.
func (s *Service) OpenDrawer() (int, error) { return s.Print(DrawerKick{}) }

func (s *Service) enqueue(doc Document, data []byte) (int, error) {
	if s.tr == nil {
		return 0, ErrNoPrinter
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return 0, ErrClosed
	case len(s.queue) >= MaxQueue:
		return 0, ErrQueueFull
	}
	s.nextID++
	s.queue = append(s.queue, &job{id: s.nextID, doc: doc, data: data})
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return s.nextID, nil
}

// Shutdown stops taking jobs, lets the queue drain until ctx ends, then
// abandons what is left (reported with ErrClosed) and waits for the
// worker to stop.
func (s *Service) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case <-s.done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return fmt.Errorf("drain the print queue: %w", ctx.Err())
	}
}
