// Package config loads qrtill's settings: built-in defaults, then the
// TOML file, then QRTILL_* environment variables, then command-line flags,
// and validates the result with messages that name the field and the fix.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"qrtill/payments"
)

// Config is every setting of every qrtill command.
type Config struct {
	Data     string `toml:"data"`
	Lang     string `toml:"lang"`
	Demo     bool   `toml:"demo"`
	Catalog  string `toml:"catalog"`
	Shop     string `toml:"shop"`
	Terminal string `toml:"terminal"`
	LogFile  string `toml:"log_file"`
	LogLevel string `toml:"log_level"`

	Notify NotifyConfig `toml:"notify"`
	Alipay AlipayConfig `toml:"alipay"`
	WeChat WeChatConfig `toml:"wechat"`
	SSH    SSHConfig    `toml:"ssh"`
	Relay  RelayConfig  `toml:"relay"`

	Sandbox SandboxConfig `toml:"sandbox"`
}

// NotifyConfig is the till's notification listener and how providers reach it.
type NotifyConfig struct {
	Listen         string `toml:"listen"`     // e.g. ":8080"; empty = no direct listener (demo picks one)
	PublicURL      string `toml:"public_url"` // base URL the providers post to, e.g. https://shop.example
	RelayURL       string `toml:"relay_url"`  // relay base URL; notifications then come through it
	RelayTill      string `toml:"relay_till"` // this till's id at the relay
	RelayTokenFile string `toml:"relay_token_file"`
}

// AlipayConfig holds live Alipay credentials (empty = not configured).
type AlipayConfig struct {
	AppID               string `toml:"app_id"`
	SellerID            string `toml:"seller_id"`
	AppPrivateKeyFile   string `toml:"app_private_key_file"`
	AlipayPublicKeyFile string `toml:"alipay_public_key_file"`
	AppCertFile         string `toml:"app_cert_file"`
	AlipayRootCertFile  string `toml:"alipay_root_cert_file"`
	AlipayCertFile      string `toml:"alipay_cert_file"`
	Prod                bool   `toml:"prod"`
	GatewayURL          string `toml:"gateway_url"`
}

// Configured reports whether any Alipay credential is set.
func (a AlipayConfig) Configured() bool { return a.AppID != "" || a.AppPrivateKeyFile != "" }

// WeChatConfig holds live WeChat Pay v3 credentials (empty = not configured).
type WeChatConfig struct {
	MchID          string `toml:"mch_id"`
	AppID          string `toml:"app_id"`
	SerialNo       string `toml:"serial_no"`
	PrivateKeyFile string `toml:"private_key_file"`
	APIv3KeyFile   string `toml:"api_v3_key_file"`
	PublicKeyID    string `toml:"public_key_id"`
	PublicKeyFile  string `toml:"public_key_file"`
	BaseURL        string `toml:"base_url"`
}

// Configured reports whether any WeChat Pay credential is set.
func (w WeChatConfig) Configured() bool { return w.MchID != "" || w.PrivateKeyFile != "" }

// SSHConfig is `qrtill serve`.
type SSHConfig struct {
	Addr           string        `toml:"addr"`
	AuthorizedKeys string        `toml:"authorized_keys"`
	HostKey        string        `toml:"host_key"`
	IdleTimeout    time.Duration `toml:"idle_timeout"`
}

// RelayConfig is `qrtill relay`.
type RelayConfig struct {
	Addr   string `toml:"addr"`
	Tokens string `toml:"tokens"`
	// MetricsTokenFile: serve /metrics on Addr to holders of this token.
	MetricsTokenFile string `toml:"metrics_token_file"`
	// MetricsAddr: serve /metrics here too, without a token (keep it private).
	MetricsAddr string `toml:"metrics_addr"`
	// TillQuota and TillQuotaMiB bound what one till may have stored
	// (0: the relay's defaults, 10000 and 32).
	TillQuota    int `toml:"till_quota"`
	TillQuotaMiB int `toml:"till_quota_mib"`
}

// SandboxConfig is `qrtill sandbox`.
type SandboxConfig struct {
	Addr      string  `toml:"addr"`
	State     string  `toml:"state"`
	TimeScale float64 `toml:"time_scale"`
}

// Defaults returns the settings that need no config file. home and
// xdgData come from the environment ($HOME, $XDG_DATA_HOME); lang from
// $LC_ALL or $LANG.
func Defaults(getenv func(string) string) Config {
	data := getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(getenv("HOME"), ".local", "share")
	}
	data = filepath.Join(data, "qrtill")
	lang := getenv("LC_ALL")
	if lang == "" {
		lang = getenv("LANG")
	}
	return Config{
		Data:     data,
		Lang:     LangFromLocale(lang),
		Shop:     "qrtill demo shop",
		Terminal: "till-1",
		LogLevel: "info",
		SSH:      SSHConfig{Addr: "127.0.0.1:2222", IdleTimeout: 30 * time.Minute},
		Relay:    RelayConfig{Addr: "127.0.0.1:8780"},
		Sandbox:  SandboxConfig{Addr: "127.0.0.1:8700", TimeScale: 1},
	}
}

// LangFromLocale maps a POSIX locale (zh_CN.UTF-8, en_US.UTF-8, C) to zh or en.
func LangFromLocale(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return "zh"
	}
	return "en"
}

// DemoMode reports whether the till runs on the in-process sandbox: when
// asked to, or when no live provider is configured.
func (c Config) DemoMode() bool {
	return c.Demo || (!c.Alipay.Configured() && !c.WeChat.Configured())
}

// Path returns p made absolute against the data dir when relative and
// non-empty, or def under the data dir when p is empty.
func (c Config) Path(p, def string) string {
	if p == "" {
		p = def
	}
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Data, p)
}

// Validate checks the settings and the key files they name. Each message
// names the field and the fix.
func (c Config) Validate() error {
	var errs []error
	if c.Data == "" {
		errs = append(errs, errors.New("data: no data directory; pass --data DIR or set QRTILL_DATA"))
	}
	if c.Lang != "en" && c.Lang != "zh" {
		errs = append(errs, fmt.Errorf("lang: %q is not a supported language; use en or zh", c.Lang))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level: %q is not a level; use debug, info, warn or error", c.LogLevel))
	}
	if c.Relay.TillQuota < 0 || c.Relay.TillQuotaMiB < 0 {
		errs = append(errs, errors.New("relay.till_quota, relay.till_quota_mib: must be 0 (the default) or more"))
	}
	if c.Sandbox.TimeScale <= 0 {
		errs = append(errs, fmt.Errorf("sandbox.time_scale: %v must be more than 0 (1 = real provider schedules)", c.Sandbox.TimeScale))
	}
	if !c.Demo {
		if c.Alipay.Configured() {
			errs = append(errs, c.validateAlipay()...)
		}
		if c.WeChat.Configured() {
			errs = append(errs, c.validateWeChat()...)
		}
	}
	if c.Notify.RelayURL != "" {
		if c.Notify.RelayTill == "" {
			errs = append(errs, errors.New("notify.relay_till: a relay URL is set but no till id; set relay_till to this till's id at the relay"))
		}
		errs = append(errs, secretFile("notify.relay_token_file", c.Notify.RelayTokenFile))
	}
	return errors.Join(errs...)
}

func (c Config) validateAlipay() []error {
	a := c.Alipay
	errs := []error{
		required("alipay.app_id", a.AppID, "your Alipay app id"),
		required("alipay.seller_id", a.SellerID, "your 2088… partner id"),
		secretFile("alipay.app_private_key_file", a.AppPrivateKeyFile),
	}
	certMode := a.AppCertFile != "" || a.AlipayRootCertFile != "" || a.AlipayCertFile != ""
	if certMode {
		for _, f := range []struct{ name, path string }{
			{"alipay.app_cert_file", a.AppCertFile},
			{"alipay.alipay_root_cert_file", a.AlipayRootCertFile},
			{"alipay.alipay_cert_file", a.AlipayCertFile},
		} {
			errs = append(errs, existingFile(f.name, f.path))
		}
	} else {
		errs = append(errs, existingFile("alipay.alipay_public_key_file", a.AlipayPublicKeyFile))
	}
	return errs
}

func (c Config) validateWeChat() []error {
	w := c.WeChat
	errs := []error{
		required("wechat.mch_id", w.MchID, "your merchant id"),
		required("wechat.app_id", w.AppID, "the app id bound to the merchant"),
		required("wechat.serial_no", w.SerialNo, "your merchant certificate serial number"),
		required("wechat.public_key_id", w.PublicKeyID, "the PUB_KEY_ID_… of the WeChat Pay public key"),
		secretFile("wechat.private_key_file", w.PrivateKeyFile),
		secretFile("wechat.api_v3_key_file", w.APIv3KeyFile),
		existingFile("wechat.public_key_file", w.PublicKeyFile),
	}
	if w.PublicKeyID != "" && !strings.HasPrefix(w.PublicKeyID, "PUB_KEY_ID_") {
		errs = append(errs, fmt.Errorf("wechat.public_key_id: %q should start with PUB_KEY_ID_; copy it from the merchant platform", w.PublicKeyID))
	}
	return errs
}

func required(field, value, what string) error {
	if value == "" {
		return fmt.Errorf("%s: missing; set it to %s", field, what)
	}
	return nil
}

func secretFile(field, path string) error {
	if path == "" {
		return fmt.Errorf("%s: missing; point it at the key file", field)
	}
	if _, err := payments.ReadSecretFile(path); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

func existingFile(field, path string) error {
	if path == "" {
		return fmt.Errorf("%s: missing; point it at the file", field)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s: cannot read %s; check the path", field, path)
	}
	return nil
}
