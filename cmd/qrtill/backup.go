package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"qrtill/config"
)

// newBackupCmd is `qrtill backup --to FILE`: a consistent copy of the
// order book, checked before it replaces FILE (mode 600); while a till
// runs, the till writes it.
func newBackupCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write a consistent, checked copy of the order book to a file",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return config.BadInput(errors.New("--to is required: the file to write the copy to, e.g. --to orders-copy.db"))
			}
			book, done, err := openReader(cmd, config.CmdBackup)
			if err != nil {
				return err
			}
			defer done()
			n, err := book.Backup(cmd.Context(), to)
			if err != nil {
				return bookError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "order book copied to %s (%d bytes)\n", to, n)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "file to write the copy to (replaced only once the copy is whole and checked)")
	return cmd
}
