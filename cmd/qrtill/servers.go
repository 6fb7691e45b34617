package main

import (
	"github.com/spf13/cobra"
)

func newSandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox gateway alone (Alipay OpenAPI and WeChat Pay v3 on one port)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, "sandbox")
			if err != nil {
				return err
			}
			return runSandbox(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.String("addr", "", "HOST:PORT to listen on (default 127.0.0.1:8700)")
	f.String("state", "", "directory for keys and sandbox.json (default DATA/sandbox)")
	f.String("time-scale", "", "multiply notification retry delays by this (default 1)")
	return cmd
}

func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the till to kiosk terminals over SSH",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, "serve")
			if err != nil {
				return err
			}
			return runServe(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.String("ssh-addr", "", "HOST:PORT for SSH (default 127.0.0.1:2222)")
	f.String("authorized-keys", "", "authorized_keys file of the cashiers' public keys")
	f.String("host-key", "", "SSH host key file (default DATA/ssh_host_ed25519)")
	f.String("idle-timeout", "", "end idle sessions after this long (default 30m)")
	return cmd
}

func newRelayCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "relay",
		Short: "Run the notification relay for tills behind NAT",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, "relay")
			if err != nil {
				return err
			}
			return runRelay(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.String("addr", "", "HOST:PORT to listen on (default 127.0.0.1:8780)")
	f.String("tokens", "", "tokens file: till id and token hash per line (mode 600)")
	f.String("metrics-token-file", "", "serve /metrics on --addr to holders of the token in this file (mode 600)")
	f.String("metrics-addr", "", "serve /metrics on this HOST:PORT without a token (keep it private)")
	f.String("till-quota", "", "notifications one till may have stored (default 10000)")
	f.String("till-quota-mib", "", "MiB one till may have stored (default 32)")
	return cmd
}
