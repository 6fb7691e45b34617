package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/pos"
)

func newReportCmd() *cobra.Command {
	var day, format string
	var print bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "The day's totals by channel and status, refunds and net",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			if err := checkDay(day); err != nil {
				return err
			}
			book, done, err := openReader(cmd, config.CmdReport)
			if err != nil {
				return err
			}
			defer done()
			rep, err := book.Report(cmd.Context(), day)
			if err != nil {
				return bookError(err)
			}
			if print {
				if err := printReport(cmd, book, day, rep); err != nil {
					return err
				}
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return writeReport(cmd.OutOrStdout(), rep)
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "local day YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().BoolVar(&print, "print", false, "also print the day's closing (Z) report on the receipt printer (--printer)")
	config.AddFlags(cmd.Flags(), config.CmdReport)
	return cmd
}

func writeReport(w io.Writer, r pos.DayReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "Report for %s: %d orders\n\n", r.Day, r.Orders)
	fmt.Fprintln(tw, "BY STATUS\tORDERS\tTOTAL\t")
	for _, s := range r.Statuses() {
		t := r.ByStatus[s]
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", s, t.Count, t.Total)
	}
	fmt.Fprintln(tw, "\t\t\t")
	fmt.Fprintln(tw, "PAID BY CHANNEL\tORDERS\tTOTAL\t")
	for _, ch := range r.Channels() {
		t := r.ByChannel[ch]
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", ch, t.Count, t.Total)
	}
	fmt.Fprintln(tw, "\t\t\t")
	fmt.Fprintf(tw, "paid\t%d\t%s\t\n", r.Paid.Count, r.Paid.Total)
	fmt.Fprintf(tw, "refunded\t%d\t%s\t\n", r.Refunded.Count, r.Refunded.Total)
	if r.AutoRefunded.Count > 0 {
		fmt.Fprintf(tw, "double payments returned\t%d\t%s\t\n", r.AutoRefunded.Count, r.AutoRefunded.Total)
	}
	fmt.Fprintf(tw, "net\t\t%s\t\n", r.Net)
	fmt.Fprintln(tw, "\t\t\t")
	fmt.Fprintf(tw, "cash taken\t%d\t%s\t\n", r.CashTaken.Count, r.CashTaken.Total)
	fmt.Fprintf(tw, "cash refunded\t%d\t%s\t\n", r.CashRefunded.Count, r.CashRefunded.Total)
	fmt.Fprintf(tw, "cash expected in the drawer\t\t%s\t\n", r.CashExpected)
	return tw.Flush()
}
