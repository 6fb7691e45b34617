package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/printer"
	"qrtill/printer/decode"
	"qrtill/printer/sim"
)

// newPrinterSimCmd is `qrtill printer-sim`: a fake network receipt
// printer that renders each job to a text file.
func newPrinterSimCmd() *cobra.Command {
	var addr, out string
	var width int
	cmd := &cobra.Command{
		Use:   "printer-sim",
		Short: "Run a fake ESC/POS network printer that renders each receipt to a text file",
		Long: "printer-sim listens like a receipt printer's raw port, answers status requests and\n" +
			"writes each job to DIR/NNNN.txt (and the raw stream to DIR/NNNN.escpos).\n" +
			"Point the till at it with --printer tcp://ADDR.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := printer.ParseWidth(width)
			if err != nil {
				return config.BadInput(fmt.Errorf("--width %d is not a paper width; use 58 or 80", width))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stdout := cmd.OutOrStdout()
			p, err := sim.Start(addr, sim.Options{Width: w, Out: out, OnJob: func(j sim.Job) {
				fmt.Fprintln(stdout, describeJob(j))
			}})
			if err != nil {
				return config.BadInput(fmt.Errorf("start the printer simulator on %s: %w; choose another --addr", addr, err))
			}
			fmt.Fprintf(stdout, "printer-sim: %d mm paper at %s, jobs in %s (point the till at --printer %s)\n",
				w, p.Addr(), out, p.Address())
			<-ctx.Done()
			return p.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:9100", "HOST:PORT to listen on")
	f.StringVar(&out, "out", "printer-out", "directory for the rendered jobs")
	f.IntVar(&width, "width", 80, "paper width in mm: 58 or 80")
	return cmd
}

// describeJob is one line about a finished job.
func describeJob(j sim.Job) string {
	if j.Err != nil {
		return fmt.Sprintf("job %04d: %v", j.Seq, j.Err)
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("%d lines", len(j.Doc.Texts())))
	for _, qr := range j.Doc.QRs() {
		parts = append(parts, "QR "+qr)
	}
	parts = append(parts, fmt.Sprintf("%d cut", j.Doc.Count(decode.Cut)))
	if j.Doc.Count(decode.Pulse) > 0 {
		parts = append(parts, "drawer opened")
	}
	s := fmt.Sprintf("job %04d: %s", j.Seq, strings.Join(parts, ", "))
	if j.File != "" {
		s += " -> " + j.File
	}
	return s
}
