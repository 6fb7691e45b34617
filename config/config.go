// Package config declares every qrtill setting once (settings.go: TOML
// key, flag, QRTILL_* variable, default, check) and loads them: built-in
// defaults, then the TOML file, then the environment, then command-line
// flags. Validate checks the result with messages that name the setting
// and the fix; the cobra flags of each command are built from the same
// declarations. It also builds the leveled log (log.go).
package config

import (
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // [shop] time_zone resolves even without system zoneinfo

	"qrtill/payments/alipay"
	"qrtill/payments/wechat"
)

// Config is every setting of every qrtill command.
type Config struct {
	Data     string
	Lang     string
	Demo     bool
	Catalog  string
	Shop     ShopConfig
	Terminal string
	LogFile  string
	LogLevel string

	Notify NotifyConfig
	// Alipay and WeChat are the providers' own configurations; only the
	// fields with a setting are read from the file.
	Alipay alipay.Config
	WeChat wechat.Config
	SSH    SSHConfig
	Relay  RelayConfig
	// Manager is the local till's manager PIN.
	Manager ManagerConfig
	// TUI is the screens' look.
	TUI TUIConfig
	// Printer is the receipt printer; Backup the daily copies of the book.
	Printer PrinterConfig
	Backup  BackupConfig

	Sandbox SandboxConfig
}

// ShopConfig is the shop: its name on the wallet page and receipts, and
// the time zone whose calendar days file its orders.
type ShopConfig struct {
	Name     string
	TimeZone string // IANA name, e.g. Asia/Shanghai
}

// NotifyConfig is the till's notification listener and how providers reach it.
type NotifyConfig struct {
	Listen         string // e.g. ":8080"; empty = no direct listener (demo picks one)
	PublicURL      string // base URL the providers post to, e.g. https://shop.example
	RelayURL       string // relay base URL; notifications then come through it
	RelayTill      string // this till's id at the relay
	RelayTokenFile string
}

// TUIConfig is the screens' look ([tui]).
type TUIConfig struct {
	// QRInvert: "auto" draws the QR's dark modules dark on the terminal's
	// own background (detected); "true" or "false" force it.
	QRInvert string
}

// PrinterConfig is the receipt printer ([printer]).
type PrinterConfig struct {
	Address string // tcp://HOST:9100 or a device path; empty = no printer
	Width   int    // paper width in mm: 58 or 80
	Auto    bool   // print each receipt when the sale is paid
}

// BackupConfig is the daily copies of the order book ([backup]).
type BackupConfig struct {
	Keep int // how many daily copies DATA/backups keeps
}

// SSHConfig is `qrtill serve`.
type SSHConfig struct {
	Addr           string
	AuthorizedKeys string
	HostKey        string
	IdleTimeout    time.Duration
	// LoginTimeout closes a connection that has not logged in by then;
	// MaxUnauth and MaxUnauthPerSource cap those waiting to log in.
	LoginTimeout                  time.Duration
	MaxUnauth, MaxUnauthPerSource int
	// MetricsAddr serves /metrics (off when empty), to holders of the
	// token in MetricsTokenFile when that is set.
	MetricsAddr, MetricsTokenFile string
}

// RelayConfig is `qrtill relay`.
type RelayConfig struct {
	Addr   string
	Tokens string
	// MetricsTokenFile: serve /metrics on Addr to holders of this token.
	MetricsTokenFile string
	// MetricsAddr: serve /metrics here too, without a token (keep it private).
	MetricsAddr string
	// TillQuota and TillQuotaMiB bound what one till may have stored
	// (0: the relay's defaults, 10000 and 32 MiB).
	TillQuota, TillQuotaMiB int
}

// SandboxConfig is `qrtill sandbox`.
type SandboxConfig struct {
	Addr      string
	State     string
	TimeScale float64
}

// AlipayOn reports whether any Alipay credential is set.
func (c Config) AlipayOn() bool { return c.Alipay.AppID != "" || c.Alipay.AppPrivateKeyFile != "" }

// WeChatOn reports whether any WeChat Pay credential is set.
func (c Config) WeChatOn() bool { return c.WeChat.MchID != "" || c.WeChat.PrivateKeyFile != "" }

// DemoMode reports whether the till runs on the in-process sandbox: when
// asked to, or when no live provider is configured.
func (c Config) DemoMode() bool { return c.Demo || (!c.AlipayOn() && !c.WeChatOn()) }

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

// Location is the shop's time zone ([shop] time_zone); UTC if the name
// does not load, which Validate refuses first.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Shop.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LangFromLocale maps a POSIX locale (zh_CN.UTF-8, en_US.UTF-8, C) to zh or en.
func LangFromLocale(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return "zh"
	}
	return "en"
}

// dataDefault is $XDG_DATA_HOME/qrtill, or ~/.local/share/qrtill.
func dataDefault(getenv func(string) string) string {
	data := getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(getenv("HOME"), ".local", "share")
	}
	return filepath.Join(data, "qrtill")
}

// langDefault is the language of $LC_ALL, else $LANG.
func langDefault(getenv func(string) string) string {
	lang := getenv("LC_ALL")
	if lang == "" {
		lang = getenv("LANG")
	}
	return LangFromLocale(lang)
}
