package app

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Service is one long-running part of a running till: the in-process
// sandbox, the notify listener, the relay client, and what cmd adds (the
// screens, the SSH server). Run serves until its context ends or Stop
// has returned, and returns nil then; Stop, if set, ends it gracefully
// within its context.
type Service struct {
	Name string
	Run  func(ctx context.Context) error
	Stop func(ctx context.Context) error
}

// running is a launched service.
type running struct {
	Service
	cancel context.CancelFunc
	done   chan struct{}
}

// services runs the app's services under one errgroup. Backends (the
// sandbox) stop after the till; fronts (everything that calls the till)
// stop before it, newest first.
type services struct {
	mu       sync.Mutex
	group    errgroup.Group
	base     context.Context // the services' parent: Start's, without its cancel
	started  bool
	closed   bool // Shutdown began: nothing launches any more
	backends []*running
	fronts   []*running

	done     chan struct{} // closed when a service ends or Start's context does
	doneOnce sync.Once
	stopDone func() bool

	shutOnce sync.Once
	shutErr  error
}

// addServices registers the assembled parts, in the order they serve.
func (a *App) addServices() {
	a.done = make(chan struct{})
	if a.sandbox != nil {
		a.backends = append(a.backends, &running{Service: a.sandbox.service()})
	}
	if a.notify != nil {
		a.fronts = append(a.fronts, &running{Service: a.notify.service()})
	}
	if a.relay != nil {
		c := a.relay
		a.fronts = append(a.fronts, &running{Service: Service{Name: "relay client", Run: c.Run}})
	}
	if a.book != nil {
		a.fronts = append(a.fronts, &running{Service: a.bookService()})
	}
	a.fronts = append(a.fronts, &running{Service: a.snapshotService()})
}

// Start serves every part: the sandbox, then the notify listener and the
// relay client, which call the till (built in New). It returns at once;
// Done says when to shut down. When ctx ends, Done fires, but the
// services keep running until Shutdown stops them in order.
func (a *App) Start(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started || a.closed {
		return
	}
	a.started = true
	a.base = context.WithoutCancel(ctx)
	a.stopDone = context.AfterFunc(ctx, a.signalDone)
	for _, r := range append(append([]*running{}, a.backends...), a.fronts...) {
		a.launch(r)
	}
}

// Go adds a service that calls the till (the screens, the SSH server);
// it is served at once if the app has started, else from Start.
func (a *App) Go(s Service) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	r := &running{Service: s}
	a.fronts = append(a.fronts, r)
	if a.started {
		a.launch(r)
	}
}

// Done is closed when a service ends (the screens quit, a server fails)
// or Start's context ends: time to call Shutdown.
func (a *App) Done() <-chan struct{} { return a.done }

func (a *App) signalDone() { a.doneOnce.Do(func() { close(a.done) }) }

// launch runs one service in the group; a.mu is held.
func (a *App) launch(r *running) {
	ctx, cancel := context.WithCancel(a.base)
	r.cancel, r.done = cancel, make(chan struct{})
	a.group.Go(func() error {
		defer close(r.done)
		defer a.signalDone()
		if err := r.Run(ctx); err != nil {
			a.log.Error("service stopped", "service", r.Name, "err", err)
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		return nil
	})
}

// Shutdown stops the app within ctx: the fronts newest first (so nothing
// new reaches the till), then the till (its watchers end; open payments
// stay in the book for the next start's reconcile), then the sandbox;
// then it closes the order book and the log. It returns the first error
// a service ended with. Later calls return the same.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutOnce.Do(func() { a.shutErr = a.shutdown(ctx) })
	return a.shutErr
}

func (a *App) shutdown(ctx context.Context) error {
	a.mu.Lock()
	fronts, backends := a.fronts, a.backends
	a.closed = true
	a.mu.Unlock()
	for i := len(fronts) - 1; i >= 0; i-- {
		a.stop(ctx, fronts[i])
	}
	if a.till != nil {
		a.till.Close()
	}
	if a.printer != nil {
		if err := a.printer.svc.Shutdown(ctx); err != nil {
			a.log.Warn("receipts left unprinted", "err", err)
		}
	}
	for i := len(backends) - 1; i >= 0; i-- {
		a.stop(ctx, backends[i])
	}
	err := a.group.Wait()
	if a.stopDone != nil {
		a.stopDone()
	}
	if a.done != nil {
		a.signalDone()
	}
	a.release()
	return err
}

// stop ends one service: Stop within ctx, then its context, then waits
// for Run to return.
func (a *App) stop(ctx context.Context, r *running) {
	if r.done == nil {
		return // never launched
	}
	if r.Stop != nil {
		if err := r.Stop(ctx); err != nil {
			a.log.Warn("stop", "service", r.Name, "err", err)
		}
	}
	r.cancel()
	<-r.done
}

// contextDone is a context that has already ended, for Close.
func contextDone() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}
