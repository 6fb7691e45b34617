package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"qrtill/config"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "qrtill",
		Short: "A terminal point-of-sale till for Alipay and WeChat Pay QR payments",
		Long: "qrtill rings up a basket, shows an Alipay or WeChat Pay QR code in the terminal and\n" +
			"follows the payment until it is paid, cancelled or expired. With no configuration it\n" +
			"runs in demo mode against a built-in sandbox gateway.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, "")
			if err != nil {
				return err
			}
			return runTill(cmd, cfg)
		},
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "TOML configuration file (env QRTILL_CONFIG)")
	pf.String("data", "", "data directory (default $XDG_DATA_HOME/qrtill)")
	pf.String("lang", "", "screen language: en or zh (default from LANG)")
	pf.Bool("demo", false, "use the in-process sandbox gateway even if credentials are configured")
	pf.String("catalog", "", "CSV catalog replacing the built-in demo catalog")
	pf.String("shop", "", "shop name on the wallet page and receipts")
	pf.String("terminal", "", "this terminal's name, stored on every order")
	pf.String("log-file", "", "log file (default DATA/qrtill.log for the till, stderr for servers)")
	pf.String("log-level", "", "debug, info, warn or error")
	pf.String("notify-listen", "", "address of the notification listener, e.g. :8080")
	pf.String("notify-url", "", "public base URL the providers post notifications to")
	pf.String("relay", "", "relay base URL to receive notifications through")
	pf.String("relay-till", "", "this till's id at the relay")
	pf.String("relay-token-file", "", "file holding this till's relay token (mode 600)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return badInput(fmt.Errorf("%v; see qrtill --help", err))
	})
	root.AddCommand(newOrdersCmd(), newReportCmd(), newVersionCmd(),
		newSandboxCmd(), newServeCmd(), newRelayCmd())
	root.AddCommand(newPrinterSimCmd())
	for _, c := range root.Commands() {
		c.SilenceUsage = true
		c.SilenceErrors = true
	}
	return root
}

// loadConfig reads and validates the configuration of a command; any
// problem is the user's to fix.
func loadConfig(cmd *cobra.Command, name string) (config.Config, error) {
	flags := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	flags.AddFlagSet(cmd.Flags())
	flags.AddFlagSet(cmd.InheritedFlags())
	cfg, err := config.Load(name, flags, nil)
	if err != nil {
		return cfg, badInput(err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, badInput(err)
	}
	return cfg, nil
}
