// Package testkit builds a whole till for tests, through app: a bbolt
// order book, the sandbox gateway on loopback, the real gopay-based
// providers configured from its sandbox.json, the notify listener, and
// the till service. Screen, kiosk, relay and app tests share it.
package testkit

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"qrtill/app"
	"qrtill/config"
	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxtest"
	"qrtill/pos"
	"qrtill/storage"
)

// Options vary the till.
type Options struct {
	// Notifying: notifications reach the till; otherwise it polls alone
	// (the providers are given a notify URL nobody listens on).
	Notifying bool
	Poll      pos.PollPolicy                            // zero = the till's default
	Window    time.Duration                             // payment window; zero = default
	Wrap      func(payments.Provider) payments.Provider // e.g. to count queries
	// NotifyURL overrides the notify URL handed to providers (a relay).
	NotifyURL func(payments.Channel) string
	// NoPolling: the till learns only through notifications.
	NoPolling bool
	// CodeWindow is how long a code payment waits for the customer's
	// password; zero = the till's default.
	CodeWindow time.Duration
	// Printer is the receipt printer's address (e.g. a printer/sim's);
	// "" = none. Receipts print as each sale is paid.
	Printer string
}

// Rig is a running till and the sandbox behind it.
type Rig struct {
	App     *app.App
	Gateway *sandboxtest.Gateway
	Till    *pos.Till
	Store   *storage.DB
	Catalog *pos.Catalog

	cfg config.Config
	opt Options
}

// Config is the settings of a test till: demo mode on a sandbox, data
// in a temporary directory, a loopback notify listener.
func Config(tb testing.TB) config.Config {
	cfg := config.Defaults(func(string) string { return "" })
	cfg.Data = tb.TempDir()
	cfg.Demo = true
	cfg.Shop.Name = "Test shop"
	cfg.Notify.Listen = "127.0.0.1:0"
	return cfg
}

// New starts a till for one test; everything stops when the test ends.
func New(tb testing.TB, opt Options) *Rig {
	tb.Helper()
	r := &Rig{Gateway: sandboxtest.Start(tb), cfg: Config(tb), opt: opt}
	r.cfg.Printer.Address = opt.Printer
	r.start(tb)
	return r
}

// Restart stops the till as a crash or ctrl+c would leave it (open
// payments stay in the book) and starts a new one on the same data
// directory and sandbox. The new till has not reconciled yet.
func (r *Rig) Restart(tb testing.TB) {
	tb.Helper()
	r.shutdown(tb)
	r.start(tb)
}

func (r *Rig) start(tb testing.TB) {
	tb.Helper()
	opt := r.opt
	a, err := app.New(app.Options{Config: r.cfg, Log: Logger(tb), Sandbox: &r.Gateway.Info,
		Store: storage.Options{NoSync: true}, Wrap: opt.Wrap, Till: func(c *pos.TillConfig) {
			c.Poll, c.PaymentWindow, c.NoPolling, c.CodeWindow = opt.Poll, opt.Window, opt.NoPolling, opt.CodeWindow
			notifyURL, notifying := c.NotifyURL, opt.Notifying
			c.Notifying = func() bool { return notifying }
			c.NotifyURL = func(ch payments.Channel) string {
				switch {
				case opt.NotifyURL != nil:
					return opt.NotifyURL(ch)
				case !notifying:
					return "http://127.0.0.1:1/notify/" + string(ch) // nobody listens: polling alone
				}
				return notifyURL(ch)
			}
		}})
	if err != nil {
		tb.Fatal(err)
	}
	a.Start(context.Background())
	tb.Cleanup(func() { r.shutdownApp(tb, a) })
	r.App, r.Till, r.Store, r.Catalog = a, a.Till(), a.Store(), a.Catalog()
}

func (r *Rig) shutdown(tb testing.TB) { r.shutdownApp(tb, r.App) }

func (r *Rig) shutdownApp(tb testing.TB, a *app.App) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		tb.Errorf("shut the till down: %v", err)
	}
}

// Logger is a log that writes to the test's output.
func Logger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// LastTrade waits for the sandbox's newest trade.
func (r *Rig) LastTrade(tb testing.TB) sandbox.Trade {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if list := r.Gateway.Ledger().List(); len(list) > 0 {
			return list[0]
		}
		if time.Now().After(deadline) {
			tb.Fatal("no trade at the sandbox")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
