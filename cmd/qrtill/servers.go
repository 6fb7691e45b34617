package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/charmbracelet/ssh"
	"github.com/spf13/cobra"

	"qrtill/app"
	"qrtill/config"
	"qrtill/internal/metrics"
	"qrtill/payments/relay"
	"qrtill/payments/sandbox"
	"qrtill/tui"
	"qrtill/tui/kiosk"
)

func newSandboxCmd() *cobra.Command {
	return command(config.CmdSandbox, "Run the sandbox gateway alone (Alipay OpenAPI and WeChat Pay v3 on one port)", runSandbox)
}

func newServeCmd() *cobra.Command {
	return command(config.CmdServe, "Serve the till to kiosk terminals over SSH", runServe)
}

func newRelayCmd() *cobra.Command {
	return command(config.CmdRelay, "Run the notification relay for tills behind NAT", runRelay)
}

// runSandbox is `qrtill sandbox`: the sandbox gateway alone.
func runSandbox(cmd *cobra.Command, cfg config.Config) error {
	state, field := cfg.Path(cfg.Sandbox.State, "sandbox"), "data"
	if cfg.Sandbox.State != "" {
		field = "state"
	}
	if err := config.CheckDir(field, state); err != nil {
		return config.BadInput(err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "sandbox state and sandbox.json in %s\n", state)
	return serveAlone(cmd, cfg, "sandbox", func(ctx context.Context, log *slog.Logger) error {
		return sandbox.Run(ctx, cfg.Sandbox.Addr, state, cfg.Sandbox.TimeScale, log)
	})
}

// runServe is `qrtill serve`: the till for kiosk terminals over SSH.
// Open payments are reconciled once at start; each session is its own
// sale on the shared till and order book.
func runServe(cmd *cobra.Command, cfg config.Config) error {
	if cfg.SSH.AuthorizedKeys == "" {
		return config.BadInput(errors.New("--authorized-keys is required: a file with one public key per terminal (comment = cashier name)"))
	}
	keys, err := kiosk.LoadAuthorizedKeys(cfg.SSH.AuthorizedKeys)
	if err != nil {
		return config.BadInput(err)
	}
	metricsToken, err := readMetricsToken(cfg)
	if err != nil {
		return err
	}
	km := kiosk.NewMetrics()
	a, err := app.New(app.Options{Config: cfg, LogTo: cmd.ErrOrStderr()})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a.Start(ctx)
	reconcile(ctx, a)
	log := a.Log().With("sys", "ssh")
	srv, err := kiosk.New(kiosk.Config{Addr: cfg.SSH.Addr, HostKeyPath: cfg.Path(cfg.SSH.HostKey, "ssh_host_ed25519"),
		AuthorizedKeys: keys, IdleTimeout: cfg.SSH.IdleTimeout, LoginTimeout: cfg.SSH.LoginTimeout,
		MaxUnauth: cfg.SSH.MaxUnauth, MaxUnauthPerSource: cfg.SSH.MaxUnauthPerSource, Metrics: km,
		QRInvert: cfg.TUI.QRInvert, Demo: a.Demo(), Till: a.Till(), Subscribe: a.Till().Subscribe,
		Catalog: a.Catalog(), Lang: tui.Lang(cfg.Lang), Shop: cfg.Shop.Name, Log: log, Printer: a.Printer()})
	if err != nil {
		return err
	}
	if err := serveMetrics(cfg, a, km, metricsToken); err != nil {
		return err
	}
	a.Go(app.Service{Name: "ssh server",
		Run: func(context.Context) error {
			log.Info("serving the till over SSH", "addr", cfg.SSH.Addr)
			if err := srv.ListenAndServe(); !errors.Is(err, ssh.ErrServerClosed) {
				return listenError(err, "--ssh-addr")
			}
			return nil
		},
		Stop: func(ctx context.Context) error {
			err := srv.Shutdown(ctx) // tells every session first
			if err != nil {
				srv.Close()
			}
			return err
		}})
	return serveUntilDone(ctx, a)
}

// reconcile settles the payments a previous run left open, before the
// first session.
func reconcile(ctx context.Context, a *app.App) {
	log := a.Log().With("sys", "till")
	changes, err := a.Till().Reconcile(ctx)
	for _, c := range changes {
		log.Info("reconciled", "order", c.OrderNumber, "detail", c.Detail)
	}
	if err != nil {
		log.Error("reconcile", "err", err)
	}
}

// runRelay is `qrtill relay`: the notification relay for tills behind NAT.
func runRelay(cmd *cobra.Command, cfg config.Config) error {
	if cfg.Relay.Tokens == "" {
		return config.BadInput(errors.New("--tokens is required: a file with `till_id sha256:<hex>` per till (mode 600)"))
	}
	if _, err := relay.LoadTokens(cfg.Relay.Tokens); err != nil {
		return config.BadInput(err)
	}
	if f := cfg.Relay.MetricsTokenFile; f != "" {
		if _, err := relay.LoadMetricsToken(f); err != nil {
			return config.BadInput(err)
		}
	}
	if err := config.CheckDir("data", cfg.Data); err != nil {
		return config.BadInput(err)
	}
	err := serveAlone(cmd, cfg, "relay", func(ctx context.Context, log *slog.Logger) error {
		return relay.Run(ctx, relay.RunConfig{Addr: cfg.Relay.Addr, DataDir: filepath.Join(cfg.Data, "relay"),
			TokensFile: cfg.Relay.Tokens, MetricsTokenFile: cfg.Relay.MetricsTokenFile, MetricsAddr: cfg.Relay.MetricsAddr,
			Options: relay.Options{Log: log, Quota: relay.Quota{Count: cfg.Relay.TillQuota, Bytes: int64(cfg.Relay.TillQuotaMiB) << 20}}})
	})
	if errors.Is(err, relay.ErrStoreDamaged) || errors.Is(err, relay.ErrStoreInUse) {
		return config.BadInput(err)
	}
	return err
}

// serveAlone runs a server that needs no till (the sandbox, the relay)
// until SIGINT or SIGTERM, logging to stderr or --log-file; an address
// it cannot listen on is bad input.
func serveAlone(cmd *cobra.Command, cfg config.Config, name string, run func(ctx context.Context, log *slog.Logger) error) error {
	log, closer, err := cfg.OpenLog("", cmd.ErrOrStderr())
	if err != nil {
		return config.BadInput(err)
	}
	defer closer.Close()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return listenError(run(ctx, log.With("sys", name)), "--addr")
}

// listenError makes an address the server cannot listen on the user's to
// fix, naming the flag.
func listenError(err error, flag string) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "listen" {
		return config.BadInput(fmt.Errorf("cannot listen: %v; choose another %s", op, flag))
	}
	return err
}

// readMetricsToken reads the token that guards the kiosk server's
// /metrics, if one is set up.
func readMetricsToken(cfg config.Config) (string, error) {
	if cfg.SSH.MetricsTokenFile == "" {
		return "", nil
	}
	if cfg.SSH.MetricsAddr == "" {
		return "", config.BadInput(errors.New("--metrics-token-file needs --metrics-addr: the address to serve /metrics on"))
	}
	token, err := relay.LoadMetricsToken(cfg.SSH.MetricsTokenFile)
	if err != nil {
		return "", config.BadInput(err)
	}
	return token, nil
}

// serveMetrics serves the kiosk's and the till's metrics on
// --metrics-addr, when one is set; an address it cannot listen on is bad
// input.
func serveMetrics(cfg config.Config, a *app.App, km *kiosk.Metrics, token string) error {
	if cfg.SSH.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.SSH.MetricsAddr)
	if err != nil {
		return listenError(err, "--metrics-addr")
	}
	tillCollectors, follow := a.TillMetrics()
	e := metrics.NewEndpoint(token, append(km.Collectors(), tillCollectors...)...)
	a.Go(follow)
	a.Go(app.Service{Name: "metrics", Run: func(ctx context.Context) error { return metrics.ServeEndpoint(ctx, ln, e) }})
	return nil
}
