package main

import (
	"context"
	"errors"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"qrtill/app"
	"qrtill/config"
	"qrtill/tui"
)

// shutdownGrace bounds a shutdown: open payments stay in the book for the
// next start's reconcile.
const shutdownGrace = 10 * time.Second

// runTill is `qrtill`: the till in this terminal, logging to
// DATA/qrtill.log (never to the screen).
func runTill(cmd *cobra.Command, cfg config.Config) error {
	a, err := app.New(app.Options{Config: cfg})
	if err != nil {
		return err
	}
	defer a.Close()
	a.Go(app.Service{Name: "screens", Run: func(ctx context.Context) error {
		updates, stop := a.Till().Subscribe()
		model := tui.New(tui.Options{Till: a.Till(), Catalog: a.Catalog(), Cashier: cashierName(), Terminal: cfg.Terminal,
			Lang: tui.Lang(cfg.Lang), ShopName: cfg.Shop.Name, Reconcile: true, Updates: updates, StopUpdates: stop,
			AskPIN: true, PINHash: cfg.Manager.PINHash,
			Context: ctx, Logger: a.Log().With("sys", "tui"), Printer: a.Printer(),
			QRInvert: cfg.TUI.QRInvert, Demo: a.Demo(), Bell: func() { os.Stdout.WriteString("\a") }})
		_, err := tea.NewProgram(model, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
		if errors.Is(err, tea.ErrProgramKilled) {
			return nil
		}
		return err
	}})
	return serveUntilDone(cmd.Context(), a)
}

// serveUntilDone starts the app and shuts it down, within shutdownGrace,
// once ctx ends or any of its services stops.
func serveUntilDone(ctx context.Context, a *app.App) error {
	a.Start(ctx)
	<-a.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return a.Shutdown(sctx)
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
