package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"qrtill/payments"
	"qrtill/payments/wechat"
)

// problems is every problem Validate found, read as one sentence.
type problems []error

func (p problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (p problems) Unwrap() []error { return p }

// Validate checks the settings and the key files they name. Each message
// names the setting and the fix; several are joined into one line.
func (c Config) Validate() error {
	var errs problems
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, s := range settings {
		if s.check != nil {
			add(s.check(c))
		}
	}
	if c.Demo && (c.AlipayOn() || c.WeChatOn()) {
		add(errors.New("demo: this configuration has live [alipay] or [wechat] credentials, and a demo would run on pretend money in the live data dir; run the demo without that config (or with another --data), or drop --demo"))
	}
	if !c.Demo {
		if c.AlipayOn() {
			for _, err := range c.checkAlipay() {
				add(err)
			}
		}
		if c.WeChatOn() {
			for _, err := range c.checkWeChat() {
				add(err)
			}
		}
	}
	if c.Notify.RelayURL != "" {
		if c.Notify.RelayTill == "" {
			add(errors.New("notify.relay_till: a relay URL is set but no till id; set relay_till to this till's id at the relay"))
		}
		add(secretFile("notify.relay_token_file", c.Notify.RelayTokenFile))
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func checkData(c Config) error {
	if c.Data == "" {
		return errors.New("data: no data directory; pass --data DIR or set QRTILL_DATA")
	}
	return nil
}

func checkLang(c Config) error {
	if c.Lang != "en" && c.Lang != "zh" {
		return fmt.Errorf("lang: %q is not a supported language; use en or zh", c.Lang)
	}
	return nil
}

func checkLogLevel(c Config) error {
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
		return nil
	}
	return fmt.Errorf("log_level: %q is not a level; use debug, info, warn or error", c.LogLevel)
}

func checkTimeZone(c Config) error {
	if _, err := time.LoadLocation(c.Shop.TimeZone); err != nil || c.Shop.TimeZone == "" {
		return fmt.Errorf("shop.time_zone: %q is not a time zone; use an IANA name like Asia/Shanghai", c.Shop.TimeZone)
	}
	return nil
}

func checkTimeScale(c Config) error {
	if c.Sandbox.TimeScale <= 0 {
		return fmt.Errorf("sandbox.time_scale: %v must be more than 0 (1 = real provider schedules)", c.Sandbox.TimeScale)
	}
	return nil
}

// addr checks a HOST:PORT setting (HOST may be empty: every address).
func addr(name string, get func(Config) string) func(Config) error {
	return func(c Config) error {
		v := get(c)
		_, port, err := net.SplitHostPort(v)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return fmt.Errorf("%s: %q is not HOST:PORT; write it like 127.0.0.1:8700 (or :8700 for every address)", name, v)
		}
		return nil
	}
}

// optionalAddr is addr for a setting that may be empty.
func optionalAddr(name string, get func(Config) string) func(Config) error {
	check := addr(name, get)
	return func(c Config) error {
		if get(c) == "" {
			return nil
		}
		return check(c)
	}
}

// optionalURL checks an http(s) base URL setting that may be empty.
func optionalURL(name string, get func(Config) string) func(Config) error {
	return func(c Config) error {
		v := get(c)
		if v == "" {
			return nil
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL; write it like https://shop.example", name, v)
		}
		return nil
	}
}

func (c Config) checkAlipay() []error {
	a := c.Alipay
	errs := []error{
		required("alipay.app_id", a.AppID, "your Alipay app id"),
		required("alipay.seller_id", a.SellerID, "your 2088… partner id"),
		secretFile("alipay.app_private_key_file", a.AppPrivateKeyFile),
	}
	certMode := a.AppCertFile != "" || a.AlipayRootCertFile != "" || a.AlipayCertFile != ""
	if !certMode {
		return append(errs, existingFile("alipay.alipay_public_key_file", a.AlipayPublicKeyFile))
	}
	return append(errs,
		existingFile("alipay.app_cert_file", a.AppCertFile),
		existingFile("alipay.alipay_root_cert_file", a.AlipayRootCertFile),
		existingFile("alipay.alipay_cert_file", a.AlipayCertFile))
}

func (c Config) checkWeChat() []error {
	w := c.WeChat
	errs := []error{
		required("wechat.mch_id", w.MchID, "your merchant id"),
		required("wechat.app_id", w.AppID, "the app id bound to the merchant"),
		required("wechat.serial_no", w.SerialNo, "your merchant certificate serial number"),
		secretFile("wechat.private_key_file", w.PrivateKeyFile),
		secretFile("wechat.api_v3_key_file", w.APIv3KeyFile),
	}
	// Public-key mode needs the key; a merchant still on platform
	// certificates may leave it out, or give both during the switch.
	if !w.PlatformCertificates || w.PublicKeyID != "" || w.PublicKeyFile != "" {
		errs = append(errs, required("wechat.public_key_id", w.PublicKeyID, "the PUB_KEY_ID_… of the WeChat Pay public key (or set platform_certificates = true)"),
			existingFile("wechat.public_key_file", w.PublicKeyFile))
	}
	if w.PublicKeyID != "" && !strings.HasPrefix(w.PublicKeyID, "PUB_KEY_ID_") {
		errs = append(errs, fmt.Errorf("wechat.public_key_id: %q should start with PUB_KEY_ID_; copy it from the merchant platform", w.PublicKeyID))
	}
	return append(errs, c.checkWeChatNotifyURL())
}

// checkWeChatNotifyURL refuses a notify URL WeChat Pay would not post a
// live merchant's notifications to: plain http. The URL is the relay's
// when notifications come through one, else notify.public_url; a
// gateway_url/base_url (a sandbox) may stay http.
func (c Config) checkWeChatNotifyURL() error {
	base, field := c.Notify.PublicURL, "notify.public_url"
	if c.Notify.RelayURL != "" {
		base, field = c.Notify.RelayURL, "notify.relay_url"
	}
	if base == "" {
		return nil // no notify URL: the provider says so when it needs one
	}
	if err := wechat.CheckNotifyURL(strings.TrimRight(base, "/")+"/notify/wechat", c.WeChat.BaseURL == ""); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
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
