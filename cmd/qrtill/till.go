package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/payments"
	"qrtill/payments/relay"
	"qrtill/pos"
	"qrtill/tui"
)

// tillService is a running till: store, gateway, notify listener and
// the till service, with one function that stops them all.
type tillService struct {
	till    *pos.Till
	catalog *pos.Catalog
	logf    func(string, ...any)
	close   func()
}

// startTill opens everything a till needs. In demo mode that includes
// the in-process sandbox and a loopback notify listener.
func startTill(cmd *cobra.Command, cfg config.Config, logToStderr bool) (*tillService, error) {
	catalog, err := loadCatalog(cfg)
	if err != nil {
		return nil, err
	}
	db, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	var closers []func()
	done := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	closers = append(closers, func() { db.Close() })
	logf, closeLog, err := openLog(cfg, logToStderr, cmd)
	if err != nil {
		done()
		return nil, err
	}
	closers = append(closers, closeLog)
	ctx, cancel := context.WithCancel(cmd.Context())
	closers = append(closers, cancel)
	gw, err := openGateway(ctx, cfg, logf)
	if err != nil {
		done()
		return nil, err
	}
	closers = append(closers, gw.stop)
	if len(gw.providers) == 0 {
		done()
		return nil, badInput(errors.New("no payment channel is configured; set [alipay] or [wechat] in the config, or run with --demo"))
	}
	var till *pos.Till
	notify, notifyBase, err := startNotifyListener(cfg, gw.providers, func(ctx context.Context, n payments.Notification) error {
		return till.HandleNotification(ctx, n, pos.SourceNotify)
	}, logf)
	if err != nil {
		done()
		return nil, err
	}
	closers = append(closers, func() { notify.Close() })
	rc, err := startRelayClient(ctx, cfg, gw.providers, func() *pos.Till { return till }, logf)
	if err != nil {
		done()
		return nil, err
	}
	numbers := pos.NewOrderNumberGenerator(time.Now, time.Local)
	till, err = pos.NewTill(pos.TillConfig{
		Store: db, Providers: gw.providers, NextNumber: numbers.Next, ShopName: cfg.Shop, Logf: logf,
		NotifyURL: func(ch payments.Channel) string {
			switch {
			case rc != nil:
				return rc.NotifyURL(string(ch))
			case notifyBase == "":
				return ""
			}
			return notifyBase + "/notify/" + string(ch)
		},
		Notifying: func() bool { return (rc != nil && rc.Connected()) || (rc == nil && notifyBase != "") },
	})
	if err != nil {
		done()
		return nil, err
	}
	closers = append(closers, till.Close)
	if gw.sandbox != nil {
		logf("demo mode: sandbox gateway at %s (wallet pages for phones on this network)", gw.baseURL)
	}
	return &tillService{till: till, catalog: catalog, logf: logf, close: done}, nil
}

// runTill is `qrtill`: the till in this terminal.
func runTill(cmd *cobra.Command, cfg config.Config) error {
	svc, err := startTill(cmd, cfg, false)
	if err != nil {
		return err
	}
	defer svc.close()
	updates, stop := svc.till.Subscribe()
	model := tui.New(tui.Options{Till: svc.till, Catalog: svc.catalog, Cashier: cashierName(), Terminal: cfg.Terminal,
		Lang: tui.Lang(cfg.Lang), ShopName: cfg.Shop, Reconcile: true, Manager: true, Updates: updates, StopUpdates: stop,
		Context: cmd.Context()})
	_, err = tea.NewProgram(model, tea.WithAltScreen(), tea.WithContext(cmd.Context())).Run()
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// startRelayClient connects to the relay when one is configured; each
// relayed notification takes the direct listener's verify-and-apply path.
func startRelayClient(ctx context.Context, cfg config.Config, providers map[payments.Channel]payments.Provider,
	till func() *pos.Till, logf func(string, ...any)) (*relay.Client, error) {
	if cfg.Notify.RelayURL == "" {
		return nil, nil
	}
	token, err := payments.ReadSecretFile(cfg.Notify.RelayTokenFile)
	if err != nil {
		return nil, badInput(err)
	}
	c := relay.NewClient(relay.ClientConfig{URL: cfg.Notify.RelayURL, TillID: cfg.Notify.RelayTill,
		Token: strings.TrimSpace(string(token)), Logf: logf,
		Handle: func(ctx context.Context, d relay.Delivered) error {
			p := providers[payments.Channel(d.Channel)]
			if p == nil {
				return relay.Permanent(fmt.Errorf("channel %s is not configured", d.Channel))
			}
			t := till()
			if t == nil {
				return errors.New("till not started yet") // not acknowledged: sent again
			}
			err := payments.HandleNotification(ctx, p, d.Request, func(ctx context.Context, n payments.Notification) error {
				return t.HandleNotification(ctx, n, pos.SourceRelay)
			})
			if refusedForGood(err) {
				return relay.Permanent(err)
			}
			return err
		}})
	go c.Run(ctx)
	return c, nil
}

// refusedForGood reports whether a notification can never be applied
// (forged, another merchant's, or matching no order): retrying is useless.
func refusedForGood(err error) bool {
	for _, e := range []error{payments.ErrBadSignature, payments.ErrMalformed, payments.ErrWrongMerchant, pos.ErrMismatch, pos.ErrUnknownTrade} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// startNotifyListener serves POST /notify/{channel}. In demo mode it
// listens on loopback for the in-process sandbox; live, on notify.listen
// with notify.public_url as the base the providers are given.
func startNotifyListener(cfg config.Config, providers map[payments.Channel]payments.Provider, apply payments.NotifyFunc, logf func(string, ...any)) (io.Closer, string, error) {
	addr, base := cfg.Notify.Listen, strings.TrimRight(cfg.Notify.PublicURL, "/")
	if cfg.DemoMode() && addr == "" {
		addr = "127.0.0.1:0"
	}
	if addr == "" {
		return io.NopCloser(nil), "", nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", badInput(fmt.Errorf("cannot listen for notifications on %s: %v; choose another --notify-listen", addr, err))
	}
	if base == "" && cfg.DemoMode() {
		base = "http://" + ln.Addr().String()
	}
	srv := &http.Server{Handler: payments.NotifyHandler(providers, apply, logf), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logf("notify listener: %v", err)
		}
	}()
	logf("notification listener on %s", ln.Addr())
	return srv, base, nil
}

// openLog opens the log: the log file (never the till's screen), or
// stderr for servers when no --log-file is given.
func openLog(cfg config.Config, toStderr bool, cmd *cobra.Command) (func(string, ...any), func(), error) {
	if toStderr && cfg.LogFile == "" {
		l := log.New(cmd.ErrOrStderr(), "", log.LstdFlags)
		return func(format string, args ...any) { l.Printf(format, args...) }, func() {}, nil
	}
	path := cfg.Path(cfg.LogFile, "qrtill.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, badInput(fmt.Errorf("cannot write the log %s: %v; choose another with --log-file", path, err))
	}
	l := log.New(f, "", log.LstdFlags)
	return func(format string, args ...any) { l.Printf(format, args...) }, func() { f.Close() }, nil
}

// cashierName is the signed-in user, shown on screen and stored on orders.
func cashierName() string {
	for _, k := range []string{"QRTILL_CASHIER", "USER", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "cashier"
}
