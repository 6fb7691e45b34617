package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/internal/bookapi"
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
			if err := checkDay(day); err != nil {
				return err
			}
			book, done, err := openReader(cmd, config.CmdOrders)
			if err != nil {
				return err
			}
			defer done()
			l, err := book.Orders(cmd.Context(), bookapi.Query{Day: day, All: all, Status: status})
			if err != nil {
				return bookError(err)
			}
			return writeOrders(cmd.OutOrStdout(), format, l)
		},
	}
	f := cmd.Flags()
	f.StringVar(&day, "day", "", "local day YYYY-MM-DD (default today)")
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

// checkDay refuses a --day that is not YYYY-MM-DD before anything is
// opened.
func checkDay(day string) error {
	if _, err := time.Parse("2006-01-02", day); day != "" && err != nil {
		return config.BadInput(fmt.Errorf("--day %q is not a date; write it like 2026-11-22", day))
	}
	return nil
}

// orderJSON is an order as `qrtill orders --format json` prints it: the
// order, and the money given back on it (DESIGN.md contract).
type orderJSON struct {
	pos.Order
	RefundedFen pos.Money `json:"refunded_fen"`
}

func writeOrders(w io.Writer, format string, l bookapi.Listing) error {
	orders := l.Orders
	switch format {
	case "json":
		out := make([]orderJSON, len(orders))
		for i, o := range orders {
			out[i] = orderJSON{Order: o, RefundedFen: o.Refunded()}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"number", "created_at", "status", "channel", "total_fen", "total", "cashier", "terminal", "provider_trade_no", "daily_no", "refunded_fen"})
		for _, o := range orders {
			cw.Write([]string{o.Number, o.CreatedAt.Format(time.RFC3339), string(o.Status), string(o.Channel),
				strconv.FormatInt(int64(o.Total), 10), o.Total.Yuan(), o.Cashier, o.Terminal, paidTradeNo(o), strconv.Itoa(o.DailyNo),
				strconv.FormatInt(int64(o.Refunded()), 10)})
		}
		cw.Flush()
		return cw.Error()
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\t#\tTIME\tSTATUS\tCHANNEL\tTOTAL\tCASHIER")
		loc, err := storage.LoadZone(l.Zone)
		if err != nil {
			loc = time.Local
		}
		for _, o := range orders {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Number, dailyNo(o), o.CreatedAt.In(loc).Format("2006-01-02 15:04"),
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

// dailyNo is an order's daily number as staff say it: #7 ("-" if none).
func dailyNo(o pos.Order) string {
	if o.DailyNo <= 0 {
		return "-"
	}
	return "#" + strconv.Itoa(o.DailyNo)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
