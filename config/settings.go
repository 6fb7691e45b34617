package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The commands, as Load and the flag builders name them.
const (
	CmdTill    = ""        // `qrtill` itself
	CmdServe   = "serve"   // `qrtill serve`
	CmdSandbox = "sandbox" // `qrtill sandbox`
	CmdRelay   = "relay"   // `qrtill relay`
	CmdOrders  = "orders"  // `qrtill orders`
	CmdReport  = "report"  // `qrtill report`
	CmdBackup  = "backup"  // `qrtill backup`
)

var (
	tillCmds = []string{CmdTill, CmdServe}
	logCmds  = []string{CmdTill, CmdServe, CmdSandbox, CmdRelay}
	// printCmds print receipts or the day's Z report.
	printCmds = []string{CmdTill, CmdServe, CmdReport}
)

// kind is how a setting's value is written.
type kind int

const (
	kindString   kind = iota
	kindBool          // true or false
	kindFloat         // a number
	kindCount         // a whole number, 0 or more
	kindDuration      // a duration as text: "30m", "1h30m"; never a bare number
)

// setting is one setting, declared once: its TOML key, its flag (and so
// its QRTILL_* variable), which commands take the flag, its default and
// its check. Flags, the file reader, the environment and Validate are all
// built from this list.
type setting struct {
	key   string   // TOML key, dotted ("ssh.idle_timeout"); "" = flag only
	alias string   // an older TOML key still read ("shop" for shop.name)
	flag  string   // "" = file and environment only
	cmds  []string // commands whose own flag it is; nil = every command's
	usage string
	def   string                           // default, as written in the file
	defFn func(func(string) string) string // a default from the environment
	kind  kind
	field func(c *Config) any // *string, *bool, *int, *float64 or *time.Duration
	check func(c Config) error
}

// settings is every setting. The order is the order of Validate's
// messages.
var settings = []setting{
	{flag: "config", usage: "TOML configuration file"},
	{key: "data", flag: "data", usage: "data directory: order book, logs, SSH host key, demo sandbox (default $XDG_DATA_HOME/qrtill)",
		defFn: dataDefault, field: func(c *Config) any { return &c.Data }, check: checkData},
	{key: "lang", flag: "lang", usage: "screen language: en or zh (default from LANG)",
		defFn: langDefault, field: func(c *Config) any { return &c.Lang }, check: checkLang},
	{key: "demo", flag: "demo", usage: "use the in-process sandbox gateway even if credentials are configured",
		kind: kindBool, field: func(c *Config) any { return &c.Demo }},

	{key: "catalog", flag: "catalog", cmds: tillCmds, usage: "CSV catalog replacing the built-in demo catalog",
		field: func(c *Config) any { return &c.Catalog }},
	{key: "shop.name", alias: "shop", flag: "shop", cmds: tillCmds, usage: "shop name on the wallet page and receipts",
		def: "qrtill demo shop", field: func(c *Config) any { return &c.Shop.Name }},
	{key: "shop.time_zone", usage: "time zone whose calendar days file the orders",
		def: "Asia/Shanghai", field: func(c *Config) any { return &c.Shop.TimeZone }, check: checkTimeZone},
	{key: "terminal", flag: "terminal", cmds: tillCmds, usage: "this terminal's name, stored on every order",
		def: "till-1", field: func(c *Config) any { return &c.Terminal }},
	{key: "log_file", flag: "log-file", cmds: logCmds, usage: "log file (default DATA/qrtill.log for the till, stderr for servers)",
		field: func(c *Config) any { return &c.LogFile }},
	{key: "log_level", flag: "log-level", cmds: logCmds, usage: "debug, info, warn or error",
		def: "info", field: func(c *Config) any { return &c.LogLevel }, check: checkLogLevel},

	{key: "notify.listen", flag: "notify-listen", cmds: tillCmds, usage: "address of the notification listener, e.g. :8080",
		field: func(c *Config) any { return &c.Notify.Listen }, check: optionalAddr("notify.listen", func(c Config) string { return c.Notify.Listen })},
	{key: "notify.public_url", flag: "notify-url", cmds: tillCmds, usage: "public base URL the providers post notifications to",
		field: func(c *Config) any { return &c.Notify.PublicURL }, check: optionalURL("notify.public_url", func(c Config) string { return c.Notify.PublicURL })},
	{key: "notify.relay_url", flag: "relay", cmds: tillCmds, usage: "relay base URL to receive notifications through",
		field: func(c *Config) any { return &c.Notify.RelayURL }, check: optionalURL("notify.relay_url", func(c Config) string { return c.Notify.RelayURL })},
	{key: "notify.relay_till", flag: "relay-till", cmds: tillCmds, usage: "this till's id at the relay",
		field: func(c *Config) any { return &c.Notify.RelayTill }},
	{key: "notify.relay_token_file", flag: "relay-token-file", cmds: tillCmds, usage: "file holding this till's relay token (mode 600)",
		field: func(c *Config) any { return &c.Notify.RelayTokenFile }},

	{key: "alipay.app_id", field: func(c *Config) any { return &c.Alipay.AppID }},
	{key: "alipay.seller_id", field: func(c *Config) any { return &c.Alipay.SellerID }},
	{key: "alipay.app_private_key_file", field: func(c *Config) any { return &c.Alipay.AppPrivateKeyFile }},
	{key: "alipay.alipay_public_key_file", field: func(c *Config) any { return &c.Alipay.AlipayPublicKeyFile }},
	{key: "alipay.app_cert_file", field: func(c *Config) any { return &c.Alipay.AppCertFile }},
	{key: "alipay.alipay_root_cert_file", field: func(c *Config) any { return &c.Alipay.AlipayRootCertFile }},
	{key: "alipay.alipay_cert_file", field: func(c *Config) any { return &c.Alipay.AlipayCertFile }},
	{key: "alipay.prod", kind: kindBool, field: func(c *Config) any { return &c.Alipay.Prod }},
	{key: "alipay.gateway_url", field: func(c *Config) any { return &c.Alipay.GatewayURL },
		check: optionalURL("alipay.gateway_url", func(c Config) string { return c.Alipay.GatewayURL })},

	{key: "wechat.mch_id", field: func(c *Config) any { return &c.WeChat.MchID }},
	{key: "wechat.app_id", field: func(c *Config) any { return &c.WeChat.AppID }},
	{key: "wechat.serial_no", field: func(c *Config) any { return &c.WeChat.SerialNo }},
	{key: "wechat.private_key_file", field: func(c *Config) any { return &c.WeChat.PrivateKeyFile }},
	{key: "wechat.api_v3_key_file", field: func(c *Config) any { return &c.WeChat.APIv3KeyFile }},
	{key: "wechat.public_key_id", field: func(c *Config) any { return &c.WeChat.PublicKeyID }},
	{key: "wechat.public_key_file", field: func(c *Config) any { return &c.WeChat.PublicKeyFile }},
	{key: "wechat.platform_certificates", usage: "verify WeChat Pay with platform certificates (merchants not yet on the WeChat Pay public key; both during the switch)",
		kind: kindBool, field: func(c *Config) any { return &c.WeChat.PlatformCertificates }},
	{key: "wechat.base_url", field: func(c *Config) any { return &c.WeChat.BaseURL },
		check: optionalURL("wechat.base_url", func(c Config) string { return c.WeChat.BaseURL })},

	{key: "tui.qr_invert", usage: "QR colours: auto (follow the terminal's background), true (for a light one) or false (for a dark one)",
		def: "auto", field: func(c *Config) any { return &c.TUI.QRInvert }, check: checkQRInvert},
	{key: "printer.address", flag: "printer", cmds: printCmds, usage: "receipt printer: tcp://HOST:9100 or a device path such as /dev/usb/lp0",
		field: func(c *Config) any { return &c.Printer.Address }, check: checkPrinterAddress},
	{key: "printer.width", usage: "paper width of the receipt printer in mm: 58 or 80",
		def: "80", kind: kindCount, field: func(c *Config) any { return &c.Printer.Width }, check: checkPrinterWidth},
	{key: "printer.auto", usage: "print each receipt as soon as the sale is paid (else on F9)",
		def: "true", kind: kindBool, field: func(c *Config) any { return &c.Printer.Auto }},
	{key: "backup.keep", usage: "how many daily copies of the order book DATA/backups keeps",
		def: "14", kind: kindCount, field: func(c *Config) any { return &c.Backup.Keep }, check: checkBackupKeep},
	{key: "manager.pin_hash", usage: "bcrypt hash of the manager PIN the local till asks for refunds and the day report (qrtill manager-pin prints it)",
		field: func(c *Config) any { return &c.Manager.PINHash }, check: checkPINHash},

	{key: "ssh.addr", flag: "ssh-addr", cmds: []string{CmdServe}, usage: "HOST:PORT for SSH",
		def: "127.0.0.1:2222", field: func(c *Config) any { return &c.SSH.Addr }, check: addr("ssh.addr", func(c Config) string { return c.SSH.Addr })},
	{key: "ssh.authorized_keys", flag: "authorized-keys", cmds: []string{CmdServe}, usage: "authorized_keys file of the cashiers' public keys",
		field: func(c *Config) any { return &c.SSH.AuthorizedKeys }},
	{key: "ssh.host_key", flag: "host-key", cmds: []string{CmdServe}, usage: "SSH host key file (default DATA/ssh_host_ed25519)",
		field: func(c *Config) any { return &c.SSH.HostKey }},
	{key: "ssh.idle_timeout", flag: "idle-timeout", cmds: []string{CmdServe}, usage: "end idle sessions after this long",
		def: "30m", kind: kindDuration, field: func(c *Config) any { return &c.SSH.IdleTimeout }},
	{key: "ssh.metrics_addr", flag: "metrics-addr", cmds: []string{CmdServe}, usage: "serve /metrics on this HOST:PORT (keep it private; off when empty)",
		field: func(c *Config) any { return &c.SSH.MetricsAddr }, check: optionalAddr("ssh.metrics_addr", func(c Config) string { return c.SSH.MetricsAddr })},
	{key: "ssh.metrics_token_file", flag: "metrics-token-file", cmds: []string{CmdServe},
		usage: "with --metrics-addr: answer only callers with the bearer token in this file (mode 600)",
		field: func(c *Config) any { return &c.SSH.MetricsTokenFile }},
	{key: "ssh.login_timeout", usage: "close a connection that has not logged in after this long",
		def: "15s", kind: kindDuration, field: func(c *Config) any { return &c.SSH.LoginTimeout }},
	{key: "ssh.max_unauthenticated", usage: "connections that may be waiting to log in at once",
		def: "64", kind: kindCount, field: func(c *Config) any { return &c.SSH.MaxUnauth }},
	{key: "ssh.max_unauthenticated_per_source", usage: "connections one address may have waiting to log in",
		def: "8", kind: kindCount, field: func(c *Config) any { return &c.SSH.MaxUnauthPerSource }},

	{key: "relay.addr", flag: "addr", cmds: []string{CmdRelay}, usage: "HOST:PORT to listen on",
		def: "127.0.0.1:8780", field: func(c *Config) any { return &c.Relay.Addr }, check: addr("relay.addr", func(c Config) string { return c.Relay.Addr })},
	{key: "relay.tokens", flag: "tokens", cmds: []string{CmdRelay}, usage: "tokens file: till id and token hash per line (mode 600)",
		field: func(c *Config) any { return &c.Relay.Tokens }},
	{key: "relay.metrics_token_file", flag: "metrics-token-file", cmds: []string{CmdRelay},
		usage: "serve /metrics on --addr to holders of the token in this file (mode 600)",
		field: func(c *Config) any { return &c.Relay.MetricsTokenFile }},
	{key: "relay.metrics_addr", flag: "metrics-addr", cmds: []string{CmdRelay},
		usage: "serve /metrics on this HOST:PORT without a token (keep it private)",
		field: func(c *Config) any { return &c.Relay.MetricsAddr }, check: optionalAddr("relay.metrics_addr", func(c Config) string { return c.Relay.MetricsAddr })},
	{key: "relay.till_quota", flag: "till-quota", cmds: []string{CmdRelay}, usage: "notifications one till may have stored (0 = 10000)",
		kind: kindCount, field: func(c *Config) any { return &c.Relay.TillQuota }},
	{key: "relay.till_quota_mib", flag: "till-quota-mib", cmds: []string{CmdRelay}, usage: "MiB one till may have stored (0 = 32)",
		kind: kindCount, field: func(c *Config) any { return &c.Relay.TillQuotaMiB }},

	{key: "sandbox.addr", flag: "addr", cmds: []string{CmdSandbox}, usage: "HOST:PORT to listen on",
		def: "127.0.0.1:8700", field: func(c *Config) any { return &c.Sandbox.Addr }, check: addr("sandbox.addr", func(c Config) string { return c.Sandbox.Addr })},
	{key: "sandbox.state", flag: "state", cmds: []string{CmdSandbox}, usage: "directory for keys and sandbox.json (default DATA/sandbox)",
		field: func(c *Config) any { return &c.Sandbox.State }},
	{key: "sandbox.time_scale", flag: "time-scale", cmds: []string{CmdSandbox}, usage: "multiply notification retry delays by this",
		def: "1", kind: kindFloat, field: func(c *Config) any { return &c.Sandbox.TimeScale }, check: checkTimeScale},
}

// EnvName is the environment variable of a flag: QRTILL_ and the flag
// upper-cased with dashes as underscores (--log-file → QRTILL_LOG_FILE).
func EnvName(flag string) string {
	return "QRTILL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// env is the setting's environment variable: its flag's, or for a
// file-only setting QRTILL_ and its key (alipay.app_id →
// QRTILL_ALIPAY_APP_ID).
func (s setting) env() string {
	if s.flag != "" {
		return EnvName(s.flag)
	}
	return EnvName(strings.ReplaceAll(s.key, ".", "_"))
}

// on reports whether command cmd reads the setting from its flags and
// the environment.
func (s setting) on(cmd string) bool {
	if s.flag == "" || s.cmds == nil {
		return true
	}
	for _, c := range s.cmds {
		if c == cmd {
			return true
		}
	}
	return false
}

// set parses v (from the environment, a flag or the default) into the
// setting's field. from names where v came from, for the message.
func (s setting) set(c *Config, v, from string) error {
	switch p := s.field(c).(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", from, v)
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s: %q is not a whole number of 0 or more", from, v)
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number; write it like 0.01", from, v)
		}
		*p = f
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%s: %q is not a duration; write it like 30m or 1h30m", from, v)
		}
		*p = d
	}
	return nil
}

// setFromFile stores a TOML value in the setting's field: text for text
// and durations, true or false, a number. A bare number for a duration
// is refused (300 would be read as 300 ns).
func (s setting) setFromFile(c *Config, v any, from string) error {
	switch x := v.(type) {
	case string:
		if s.kind == kindBool || s.kind == kindFloat || s.kind == kindCount {
			break
		}
		return s.set(c, x, from)
	case bool:
		if s.kind == kindBool {
			*s.field(c).(*bool) = x
			return nil
		}
	case int64:
		if s.kind == kindCount && x >= 0 && x <= 1<<31 {
			*s.field(c).(*int) = int(x)
			return nil
		}
		if s.kind == kindFloat {
			*s.field(c).(*float64) = float64(x)
			return nil
		}
	case float64:
		if s.kind == kindFloat {
			*s.field(c).(*float64) = x
			return nil
		}
	}
	switch s.kind {
	case kindBool:
		return fmt.Errorf("%s: %v is not true or false", from, v)
	case kindFloat:
		return fmt.Errorf("%s: %v is not a number; write it like 0.01", from, v)
	case kindCount:
		return fmt.Errorf("%s: %v is not a whole number of 0 or more; write it like 100", from, v)
	case kindDuration:
		return fmt.Errorf("%s: %v is not a duration; write it in quotes with its unit, like \"5m\" or \"30s\"", from, v)
	}
	return fmt.Errorf("%s: %v is not text; write it in quotes", from, v)
}
