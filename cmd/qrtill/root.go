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
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, config.CmdTill)
			if err != nil {
				return err
			}
			return runTill(cmd, cfg)
		},
	}
	config.AddPersistentFlags(root.PersistentFlags())
	config.AddFlags(root.Flags(), config.CmdTill)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return config.BadInput(fmt.Errorf("%v; see qrtill --help", err))
	})
	root.AddCommand(newOrdersCmd(), newReportCmd(), newVersionCmd(),
		newSandboxCmd(), newServeCmd(), newRelayCmd(), newBackupCmd(), newPrinterSimCmd(), newManagerPinCmd())
	for _, c := range append(root.Commands(), root) {
		c.SilenceUsage = true
		c.SilenceErrors = true
	}
	return root
}

// noArgs refuses arguments: every command takes flags only.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return config.BadInput(fmt.Errorf("%v; see %s --help", err, cmd.CommandPath()))
	}
	return nil
}

// command makes a subcommand whose flags are its own settings' (name is
// one of config's Cmd* names).
func command(name, short string, run func(cmd *cobra.Command, cfg config.Config) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   name,
		Short: short,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, name)
			if err != nil {
				return err
			}
			return run(cmd, cfg)
		},
	}
	config.AddFlags(cmd.Flags(), name)
	return cmd
}

// loadConfig reads and validates the configuration of a command; any
// problem is the user's to fix.
func loadConfig(cmd *cobra.Command, name string) (config.Config, error) {
	flags := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	flags.AddFlagSet(cmd.Flags())
	flags.AddFlagSet(cmd.InheritedFlags())
	cfg, err := config.Load(name, flags, nil)
	if err != nil {
		return cfg, config.BadInput(err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, config.BadInput(err)
	}
	return cfg, nil
}
