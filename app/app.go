// Package app is the assembly of a running till, used by `qrtill`,
// `qrtill serve` and the end-to-end tests. New checks all input first
// (settings, key files, catalog, relay token) and writes nothing before;
// then it opens the log and the order book, builds the providers (live,
// or on the sandbox), the till, and the notify listener or relay client.
// Start serves them under one errgroup, each only once what it calls
// exists; Shutdown stops them in the reverse order within a deadline;
// Close releases what is left.
package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"qrtill/assets"
	"qrtill/config"
	"qrtill/internal/bookapi"
	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/notify"
	"qrtill/payments/relay"
	"qrtill/payments/sandbox"
	"qrtill/payments/wechat"
	"qrtill/pos"
	"qrtill/storage"
)

// Options vary an App beyond its settings. The zero value of every
// field but Config is what `qrtill` runs; the rest are for servers and
// tests.
type Options struct {
	// Config is the settings; New validates them.
	Config config.Config
	// LogTo gets the log when no log file is set (servers: stderr); nil
	// means DATA/qrtill.log (the till in a terminal).
	LogTo io.Writer
	// Log replaces the log altogether (tests).
	Log *slog.Logger
	// Sandbox points the providers at this running sandbox instead of
	// one the app starts (tests, with Config.Demo).
	Sandbox *sandbox.Info
	// Store tunes the order book (tests: NoSync). Its Location is always
	// the shop's time zone.
	Store storage.Options
	// Till edits the till's configuration before it is built (tests:
	// poll policy, payment window, notification overrides).
	Till func(*pos.TillConfig)
	// Wrap wraps each provider the till calls (tests: count calls);
	// notifications are verified by the providers themselves.
	Wrap func(payments.Provider) payments.Provider
}

// App is a running till and everything around it.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	logFile io.Closer
	catalog *pos.Catalog
	store   *storage.DB
	till    *pos.Till

	providers map[payments.Channel]payments.Provider // what the till calls
	verifiers map[payments.Channel]notify.Verifier   // what checks notifications

	sandbox *demoSandbox    // the in-process sandbox, in demo mode
	notify  *notifyListener // the direct listener, if any
	relay   *relay.Client   // the relay client, if any
	book    *bookapi.Server // answers orders/report/backup while the till runs
	printer *screenPrinter  // the receipt printer, if any

	services
}

// checked is the input New has read and checked before it writes
// anything.
type checked struct {
	catalog *pos.Catalog
	live    map[payments.Channel]payments.Provider
	token   string
}

// New checks the input and assembles a till; nothing serves until Start.
// Bad input is a config.InputError, and then nothing has been written.
func New(opts Options) (*App, error) {
	in, err := check(opts.Config)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: opts.Config, catalog: in.catalog}
	if err := a.assemble(opts, in); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// check reads and checks every input: settings and the key files they
// name, the catalog, the live providers' keys, the relay token.
func check(cfg config.Config) (checked, error) {
	var in checked
	if err := cfg.Validate(); err != nil {
		return in, config.BadInput(err)
	}
	if err := config.CheckDir("data", cfg.Data); err != nil {
		return in, config.BadInput(err)
	}
	var err error
	if in.catalog, err = loadCatalog(cfg.Catalog); err != nil {
		return in, err
	}
	if in.live, err = liveProviders(cfg); err != nil {
		return in, err
	}
	if cfg.Notify.RelayURL != "" {
		token, err := payments.ReadSecretFile(cfg.Notify.RelayTokenFile)
		if err != nil {
			return in, config.BadInput(err)
		}
		in.token = string(bytes.TrimSpace(token))
	}
	return in, nil
}

// assemble builds the parts in the order they depend on each other.
func (a *App) assemble(opts Options, in checked) error {
	if err := a.openLog(opts); err != nil {
		return err
	}
	book, err := OpenBook(a.cfg, opts.Store)
	if err != nil {
		return err
	}
	a.store = book
	if err := a.buildProviders(opts, in.live); err != nil {
		return err
	}
	if err := a.listen(); err != nil {
		return err
	}
	a.relay = a.relayClient(in.token)
	if err := a.newPrinter(); err != nil {
		return config.BadInput(err)
	}
	a.listenBook()
	zone := a.store.Location() // the book's own zone: orders are filed and numbered there
	tc := pos.TillConfig{Store: a.store, Providers: a.providers, ShopName: a.cfg.Shop.Name, Location: zone,
		NextNumber: pos.NewOrderNumberGenerator(time.Now, zone).Next,
		NotifyURL:  a.notifyURL, Notifying: a.notifying, Log: a.log.With("sys", "till")}
	if opts.Till != nil {
		opts.Till(&tc)
	}
	if a.till, err = pos.NewTill(tc); err != nil {
		return err
	}
	a.addServices()
	return nil
}

func (a *App) openLog(opts Options) error {
	if opts.Log != nil {
		a.log = opts.Log
		return nil
	}
	def := "qrtill.log"
	if opts.LogTo != nil {
		def = ""
	}
	log, closer, err := a.cfg.OpenLog(def, opts.LogTo)
	if err != nil {
		return config.BadInput(err)
	}
	a.log, a.logFile = log, closer
	return nil
}

// Till is the till service.
func (a *App) Till() *pos.Till { return a.till }

// Catalog is the catalog the screens sell from.
func (a *App) Catalog() *pos.Catalog { return a.catalog }

// Log is the app's log; subsystems take theirs with Log().With("sys", …).
func (a *App) Log() *slog.Logger { return a.log }

// Store is the order book.
func (a *App) Store() *storage.DB { return a.store }

// Config is the settings the app runs on.
func (a *App) Config() config.Config { return a.cfg }

// Close stops whatever still runs at once and releases everything: the
// same as Shutdown with no time to spare. It is safe to call more than
// once, and after Shutdown.
func (a *App) Close() {
	ctx, cancel := contextDone()
	defer cancel()
	_ = a.Shutdown(ctx)
}

// release closes what the services do not: the order book, the log; and
// the listener and the sandbox if they never served.
func (a *App) release() {
	if a.notify != nil {
		a.notify.release()
	}
	if a.sandbox != nil {
		a.sandbox.release()
	}
	if a.book != nil {
		a.book.Close()
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close the order book", "err", err)
		}
	}
	if a.logFile != nil {
		_ = a.logFile.Close()
	}
}

// loadCatalog reads the catalog file, or the embedded demo catalog. A
// malformed file is the user's to fix; the error names the line and
// column.
func loadCatalog(path string) (*pos.Catalog, error) {
	if path == "" {
		return pos.LoadCatalogCSV("demo catalog", bytes.NewReader(assets.CatalogCSV))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, config.BadInput(fmt.Errorf("open catalog %s: %w; check --catalog", path, errors.Unwrap(err)))
	}
	defer f.Close()
	c, err := pos.LoadCatalogCSV(path, f)
	if err != nil {
		return nil, config.BadInput(err)
	}
	return c, nil
}

// liveProviders builds the configured live providers, reading and
// checking their key files; none in demo mode.
func liveProviders(cfg config.Config) (map[payments.Channel]payments.Provider, error) {
	live := map[payments.Channel]payments.Provider{}
	if cfg.DemoMode() {
		return live, nil
	}
	if cfg.AlipayOn() {
		p, err := alipay.New(cfg.Alipay)
		if err != nil {
			return nil, config.BadInput(err)
		}
		live[payments.Alipay] = p
	}
	if cfg.WeChatOn() {
		p, err := wechat.New(cfg.WeChat)
		if err != nil {
			return nil, config.BadInput(err)
		}
		live[payments.WeChat] = p
	}
	if len(live) == 0 {
		return nil, config.BadInput(errors.New("no payment channel is configured; set [alipay] or [wechat] in the config, or run with --demo"))
	}
	return live, nil
}
