package alipay

import (
	"fmt"
	"net/url"
	"time"
)

// DefaultQRTimeout is qr_code_timeout_express when Config.QRTimeout is
// zero and a request gives no expiry.
const DefaultQRTimeout = 5 * time.Minute

// DefaultHTTPTimeout bounds one API call when Config.HTTPTimeout is zero.
const DefaultHTTPTimeout = 10 * time.Second

// Config is what the provider needs to talk to the Alipay OpenAPI v1
// gateway as one app of one seller. Key files are PEM and must not be
// readable or writable by others; their contents are never logged.
type Config struct {
	// AppID is the app id (应用 APPID).
	AppID string
	// SellerID is the seller's 2088… partner id; notifications must name it.
	SellerID string
	// AppPrivateKeyFile is the app's RSA private key (PEM, PKCS#8 or PKCS#1).
	AppPrivateKeyFile string
	// AlipayPublicKeyFile is Alipay's public key (PEM, PKIX) that signs
	// every answer and notification. Not used in certificate mode.
	AlipayPublicKeyFile string
	// AppCertFile, AlipayRootCertFile and AlipayCertFile are the app's
	// public key certificate, Alipay's root certificate bundle and Alipay's
	// public key certificate (PEM). Certificate mode is used when all three
	// are set; setting only some of them is an error.
	AppCertFile, AlipayRootCertFile, AlipayCertFile string
	// GatewayURL sends every call to another gateway that speaks the same
	// protocol, e.g. the sandbox's base URL + "/gateway.do". "" means
	// Alipay itself (production, or Alipay's own sandbox host when Prod is
	// false). Only the scheme and host are used: gopay's path and query
	// are kept.
	GatewayURL string
	// Prod selects Alipay's production host when GatewayURL is empty;
	// false selects Alipay's own sandbox host.
	Prod bool
	// NotifyURL is the notify_url of requests that name none of their own.
	// It must carry no query string (gopay folds one into the signed set).
	NotifyURL string
	// QRTimeout is qr_code_timeout_express for a QR request without an
	// expiry; whole minutes, at least one. 0 means DefaultQRTimeout.
	QRTimeout time.Duration
	// HTTPTimeout bounds one API call; 0 means DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// Clock is the time source for expiry and receipt times; nil = time.Now.
	Clock func() time.Time
}

// certMode reports whether any certificate file is configured.
func (c Config) certMode() bool {
	return c.AppCertFile != "" || c.AlipayRootCertFile != "" || c.AlipayCertFile != ""
}

// Validate checks the configuration without touching the files, and names
// the first field that is wrong and how to fix it.
func (c Config) Validate() error {
	type field struct{ name, value, fix string }
	required := []field{
		{"AppID", c.AppID, "set it to the app id from the Alipay open platform"},
		{"SellerID", c.SellerID, "set it to the seller's 2088… partner id"},
		{"AppPrivateKeyFile", c.AppPrivateKeyFile, "point it at the app's private key (PEM)"},
	}
	if c.certMode() {
		required = append(required,
			field{"AppCertFile", c.AppCertFile, "point it at the app's public key certificate, or clear all three certificate files to use public-key mode"},
			field{"AlipayRootCertFile", c.AlipayRootCertFile, "point it at Alipay's root certificate, or clear all three certificate files to use public-key mode"},
			field{"AlipayCertFile", c.AlipayCertFile, "point it at Alipay's public key certificate, or clear all three certificate files to use public-key mode"})
	} else {
		required = append(required, field{"AlipayPublicKeyFile", c.AlipayPublicKeyFile, "point it at Alipay's public key (PEM), or set the three certificate files"})
	}
	for _, f := range required {
		if f.value == "" {
			return fmt.Errorf("alipay: %s is missing; %s", f.name, f.fix)
		}
	}
	if c.GatewayURL != "" {
		u, err := url.Parse(c.GatewayURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("alipay: GatewayURL %q is not an http(s) URL; write it like http://127.0.0.1:8700/gateway.do, or leave it empty for Alipay itself", c.GatewayURL)
		}
	}
	if c.NotifyURL != "" {
		u, err := url.Parse(c.NotifyURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fmt.Errorf("alipay: NotifyURL %q must be an http(s) URL without a query string, like https://pos.example/notify/alipay", c.NotifyURL)
		}
	}
	if c.QRTimeout < 0 || (c.QRTimeout > 0 && (c.QRTimeout < time.Minute || c.QRTimeout%time.Minute != 0)) {
		return fmt.Errorf("alipay: QRTimeout %s must be whole minutes, at least 1m (Alipay's qr_code_timeout_express); or 0 for %s", c.QRTimeout, DefaultQRTimeout)
	}
	if c.HTTPTimeout < 0 {
		return fmt.Errorf("alipay: HTTPTimeout %s is negative; set a positive duration, or 0 for %s", c.HTTPTimeout, DefaultHTTPTimeout)
	}
	return nil
}
