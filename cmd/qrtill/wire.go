package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/payments/sandbox"
)

// errNotBuilt is returned by commands whose service has not landed yet.
var errNotBuilt = errors.New("is not built yet in this version; see README.md for what is available")

func runSandbox(cmd *cobra.Command, cfg config.Config) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	state := cfg.Path(cfg.Sandbox.State, "sandbox")
	logf := func(format string, args ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", args...) }
	fmt.Fprintf(cmd.OutOrStdout(), "sandbox state and sandbox.json in %s\n", state)
	return sandbox.Run(ctx, cfg.Sandbox.Addr, state, cfg.Sandbox.TimeScale, logf)
}

func runServe(cmd *cobra.Command, cfg config.Config) error {
	return errors.New("qrtill serve " + errNotBuilt.Error())
}

func runRelay(cmd *cobra.Command, cfg config.Config) error {
	return errors.New("qrtill relay " + errNotBuilt.Error())
}
