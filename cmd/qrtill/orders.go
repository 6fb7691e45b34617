package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qrtill/app"
	"qrtill/config"
	"qrtill/pos"
	"qrtill/storage"
)

func newOrdersCmd() *cobra.Command {
	var day, status, format string
	var all bool
	cmd := &cobra.Command{
		Use:   "orders",
		Short: "List or export orders (today unless --day or --all)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "csv", "json"); err != nil {
				return err
			}
			if status != "" && !pos.OrderStatus(status).Valid() {
				return config.BadInput(fmt.Errorf("--status %q is not an order status; use one of %v", status, pos.OrderStatuses()))
			}
			db, d, err := openDay(cmd, config.CmdOrders, day)
			if err != nil {
				return err
			}
			defer db.Close()
			orders, err := listOrders(cmd.Context(), db, d, all)
			if err != nil {
				return err
			}
			if status != "" {
				kept := orders[:0]
				for _, o := range orders {
					if string(o.Status) == status {
						kept = append(kept, o)
					}
				}
				orders = kept
			}
			return writeOrders(cmd.OutOrStdout(), format, orders)
		},
	}
	f := cmd.Flags()
	f.StringVar(&day, "day", "", "the shop's day YYYY-MM-DD (default today)")
	f.BoolVar(&all, "all", false, "every order, not one day")
	f.StringVar(&status, "status", "", "only orders in this status")
	f.StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return config.BadInput(fmt.Errorf("--format %q is not supported; use one of %v", format, allowed))
}

// openDay loads a command's settings, reads --day and only then opens the
// order book.
func openDay(cmd *cobra.Command, name, day string) (*storage.DB, time.Time, error) {
	cfg, err := loadConfig(cmd, name)
	if err != nil {
		return nil, time.Time{}, err
	}
	d, err := parseDay(cfg, day)
	if err != nil {
		return nil, d, err
	}
	db, err := app.OpenBook(cfg, storage.Options{})
	return db, d, err
}

// parseDay reads --day in the shop's time zone (today when empty),
// before anything is opened.
func parseDay(cfg config.Config, day string) (time.Time, error) {
	if day == "" {
		return time.Now().In(cfg.Location()), nil
	}
	t, err := time.ParseInLocation("2006-01-02", day, cfg.Location())
	if err != nil {
		return t, config.BadInput(fmt.Errorf("--day %q is not a date; write it like 2026-11-22", day))
	}
	return t, nil
}

func listOrders(ctx context.Context, db *storage.DB, day time.Time, all bool) ([]pos.Order, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if all {
		return db.AllOrders(ctx)
	}
	return db.OrdersByDay(ctx, day)
}

func writeOrders(w io.Writer, format string, orders []pos.Order) error {
	switch format {
	case "json":
		if orders == nil {
			orders = []pos.Order{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(orders)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"number", "created_at", "status", "channel", "total_fen", "total", "cashier", "terminal", "provider_trade_no"})
		for _, o := range orders {
			cw.Write([]string{o.Number, o.CreatedAt.Format(time.RFC3339), string(o.Status), string(o.Channel),
				strconv.FormatInt(int64(o.Total), 10), o.Total.Yuan(), o.Cashier, o.Terminal, paidTradeNo(o)})
		}
		cw.Flush()
		return cw.Error()
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tTIME\tSTATUS\tCHANNEL\tTOTAL\tCASHIER")
		for _, o := range orders {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.Number, o.CreatedAt.Local().Format("2006-01-02 15:04"),
				o.Status, dash(string(o.Channel)), o.Total, dash(o.Cashier))
		}
		if len(orders) == 0 {
			fmt.Fprintln(tw, "(no orders)")
		}
		return tw.Flush()
	}
}

func paidTradeNo(o pos.Order) string {
	for _, a := range o.Attempts {
		if a.OutTradeNo == o.PaidBy {
			return a.ProviderTradeNo
		}
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
