package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// binding ties a flag name (and its QRTILL_ variable) to a setting.
type binding struct {
	flag string
	set  func(c *Config, v string) error
}

func str(p func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func boolean(name string, p func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", name, v)
		}
		*p(c) = b
		return nil
	}
}

func count(name string, p func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s: %q is not a whole number of 0 or more", name, v)
		}
		*p(c) = n
		return nil
	}
}

// common bindings belong to every command.
var common = []binding{
	{"data", str(func(c *Config) *string { return &c.Data })},
	{"lang", str(func(c *Config) *string { return &c.Lang })},
	{"demo", boolean("demo", func(c *Config) *bool { return &c.Demo })},
	{"catalog", str(func(c *Config) *string { return &c.Catalog })},
	{"shop", str(func(c *Config) *string { return &c.Shop })},
	{"terminal", str(func(c *Config) *string { return &c.Terminal })},
	{"log-file", str(func(c *Config) *string { return &c.LogFile })},
	{"log-level", str(func(c *Config) *string { return &c.LogLevel })},
	{"notify-listen", str(func(c *Config) *string { return &c.Notify.Listen })},
	{"notify-url", str(func(c *Config) *string { return &c.Notify.PublicURL })},
	{"relay", str(func(c *Config) *string { return &c.Notify.RelayURL })},
	{"relay-till", str(func(c *Config) *string { return &c.Notify.RelayTill })},
	{"relay-token-file", str(func(c *Config) *string { return &c.Notify.RelayTokenFile })},
}

// perCommand bindings: the same flag name means a different setting in
// each command (--addr).
var perCommand = map[string][]binding{
	"serve": {
		{"ssh-addr", str(func(c *Config) *string { return &c.SSH.Addr })},
		{"authorized-keys", str(func(c *Config) *string { return &c.SSH.AuthorizedKeys })},
		{"host-key", str(func(c *Config) *string { return &c.SSH.HostKey })},
		{"idle-timeout", func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("idle-timeout: %q is not a duration; write it like 30m", v)
			}
			c.SSH.IdleTimeout = d
			return nil
		}},
	},
	"sandbox": {
		{"addr", str(func(c *Config) *string { return &c.Sandbox.Addr })},
		{"state", str(func(c *Config) *string { return &c.Sandbox.State })},
		{"time-scale", func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("time-scale: %q is not a number; write it like 0.01", v)
			}
			c.Sandbox.TimeScale = f
			return nil
		}},
	},
	"relay": {
		{"addr", str(func(c *Config) *string { return &c.Relay.Addr })},
		{"tokens", str(func(c *Config) *string { return &c.Relay.Tokens })},
		{"metrics-token-file", str(func(c *Config) *string { return &c.Relay.MetricsTokenFile })},
		{"metrics-addr", str(func(c *Config) *string { return &c.Relay.MetricsAddr })},
		{"till-quota", count("till-quota", func(c *Config) *int { return &c.Relay.TillQuota })},
		{"till-quota-mib", count("till-quota-mib", func(c *Config) *int { return &c.Relay.TillQuotaMiB })},
	},
}

// EnvName is the environment variable of a flag: QRTILL_ and the flag
// upper-cased with dashes as underscores (--log-file → QRTILL_LOG_FILE).
func EnvName(flag string) string {
	return "QRTILL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Load builds the configuration of command cmd ("" for the till itself):
// defaults, then the TOML file named by --config or QRTILL_CONFIG, then
// QRTILL_* variables, then the flags set on the command line. It does not
// validate; call Validate.
func Load(cmd string, flags *pflag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Defaults(getenv)
	file := getenv("QRTILL_CONFIG")
	if f := flags.Lookup("config"); f != nil && f.Changed {
		file = f.Value.String()
	}
	if file != "" {
		if err := c.readFile(file); err != nil {
			return c, err
		}
	}
	bindings := append(append([]binding{}, common...), perCommand[cmd]...)
	for _, b := range bindings {
		if v := getenv(EnvName(b.flag)); v != "" {
			if err := b.set(&c, v); err != nil {
				return c, fmt.Errorf("%s (from %s)", err, EnvName(b.flag))
			}
		}
	}
	for _, b := range bindings {
		if f := flags.Lookup(b.flag); f != nil && f.Changed {
			if err := b.set(&c, f.Value.String()); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// readFile decodes a TOML file over c; an unknown key is an error.
func (c *Config) readFile(path string) error {
	meta, err := toml.DecodeFile(path, c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("config file %s line %d: %s; fix the TOML syntax", path, perr.Position.Line, perr.Message)
		}
		if os.IsNotExist(err) {
			return fmt.Errorf("config file %s does not exist; check --config", path)
		}
		return fmt.Errorf("config file %s: %v", path, err)
	}
	if und := meta.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return fmt.Errorf("config file %s: unknown setting %s; see assets/qrtill.sample.toml for the names", path, strings.Join(keys, ", "))
	}
	return nil
}
