package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/payments/relay"
	"qrtill/payments/sandbox"
	"qrtill/tui"
	"qrtill/tui/kiosk"
)

func runSandbox(cmd *cobra.Command, cfg config.Config) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	state := cfg.Path(cfg.Sandbox.State, "sandbox")
	logf := func(format string, args ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", args...) }
	fmt.Fprintf(cmd.OutOrStdout(), "sandbox state and sandbox.json in %s\n", state)
	return sandbox.Run(ctx, cfg.Sandbox.Addr, state, cfg.Sandbox.TimeScale, logf)
}

// runServe is `qrtill serve`: the till for kiosk terminals over SSH.
// Open payments are reconciled once at start; each session is its own
// sale on the shared till and order book.
func runServe(cmd *cobra.Command, cfg config.Config) error {
	if cfg.SSH.AuthorizedKeys == "" {
		return badInput(errors.New("--authorized-keys is required: a file with one public key per terminal (comment = cashier name)"))
	}
	keys, err := kiosk.LoadAuthorizedKeys(cfg.SSH.AuthorizedKeys)
	if err != nil {
		return badInput(err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd.SetContext(ctx)
	svc, err := startTill(cmd, cfg, true)
	if err != nil {
		return err
	}
	defer svc.close()
	changes, err := svc.till.Reconcile(ctx)
	for _, c := range changes {
		svc.logf("reconcile: order %s: %s", c.OrderNumber, c.Detail)
	}
	if err != nil {
		svc.logf("reconcile: %v", err)
	}
	srv, err := kiosk.New(kiosk.Config{Addr: cfg.SSH.Addr, HostKeyPath: cfg.Path(cfg.SSH.HostKey, "ssh_host_ed25519"),
		AuthorizedKeys: keys, IdleTimeout: cfg.SSH.IdleTimeout, Till: svc.till, Subscribe: svc.till.Subscribe,
		Catalog: svc.catalog, Lang: tui.Lang(cfg.Lang), Shop: cfg.Shop, Logf: svc.logf})
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	svc.logf("serving the till over SSH on %s", cfg.SSH.Addr)
	select {
	case err := <-errc:
		return fmt.Errorf("ssh server: %w", err)
	case <-ctx.Done():
	}
	// Shut down within a deadline; open payments stay for reconcile.
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	return nil
}

// runRelay is `qrtill relay`: the notification relay for tills behind NAT.
func runRelay(cmd *cobra.Command, cfg config.Config) error {
	if cfg.Relay.Tokens == "" {
		return badInput(errors.New("--tokens is required: a file with `till_id sha256:<hex>` per till (mode 600)"))
	}
	if _, err := relay.LoadTokens(cfg.Relay.Tokens); err != nil {
		return badInput(err)
	}
	if f := cfg.Relay.MetricsTokenFile; f != "" {
		if _, err := relay.LoadMetricsToken(f); err != nil {
			return badInput(err)
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := func(format string, args ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", args...) }
	err := relay.Run(ctx, relay.RunConfig{Addr: cfg.Relay.Addr, DataDir: filepath.Join(cfg.Data, "relay"),
		TokensFile: cfg.Relay.Tokens, MetricsTokenFile: cfg.Relay.MetricsTokenFile, MetricsAddr: cfg.Relay.MetricsAddr,
		Options: relay.Options{Logf: logf, Quota: relay.Quota{Count: cfg.Relay.TillQuota, Bytes: int64(cfg.Relay.TillQuotaMiB) << 20}}})
	if errors.Is(err, relay.ErrStoreDamaged) || errors.Is(err, relay.ErrStoreInUse) {
		return badInput(err)
	}
	return err
}
