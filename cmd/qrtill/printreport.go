package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/internal/bookapi"
	"qrtill/pos"
	"qrtill/printer"
	"qrtill/storage"
)

// printReport prints the day's closing (Z) report on the configured
// printer and waits for the printer's answer; a printer that is off or
// out of paper is the error's sentence.
func printReport(cmd *cobra.Command, book bookapi.Reader, day string, rep pos.DayReport) error {
	cfg, err := loadConfig(cmd, config.CmdReport)
	if err != nil {
		return err
	}
	if cfg.Printer.Address == "" {
		return config.BadInput(errors.New("no receipt printer is set up; pass --printer tcp://HOST:9100 (or a device path) or set [printer] address"))
	}
	listing, err := book.Orders(cmd.Context(), bookapi.Query{Day: day})
	if err != nil {
		return bookError(err)
	}
	lang := printer.English
	if cfg.Lang == "zh" {
		lang = printer.Chinese
	}
	outcome := make(chan printer.Outcome, 1)
	svc, err := printer.NewService(printer.Config{Address: cfg.Printer.Address, Width: printer.Width(cfg.Printer.Width)},
		func(o printer.Outcome) { outcome <- o })
	if err != nil {
		return config.BadInput(err)
	}
	defer svc.Shutdown(context.Background())
	zone := cfg.Location()
	if loc, err := storage.LoadZone(listing.Zone); err == nil && listing.Zone != "" {
		zone = loc // the book's own zone files its days
	}
	h := printer.Header{Shop: cfg.Shop.Name, Lang: lang, Location: zone}
	if _, err := svc.Print(printer.ZReportFromDay(rep, listing.Orders, time.Now(), h)); err != nil {
		return errors.New(printer.Sentence(err, lang))
	}
	o := <-outcome
	if o.Err != nil {
		return errors.New(o.Sentence(lang))
	}
	fmt.Fprintln(cmd.ErrOrStderr(), o.Sentence(lang))
	return nil
}
