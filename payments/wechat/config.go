package wechat

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"qrtill/payments"
)

// DefaultHTTPTimeout bounds one API call when Config.HTTPTimeout is zero.
const DefaultHTTPTimeout = 10 * time.Second

// publicKeyIDPrefix starts every WeChat Pay public key ID.
const publicKeyIDPrefix = "PUB_KEY_ID_"

// apiV3KeyLen is the length of the APIv3 key: it is the AES-256 key.
const apiV3KeyLen = 32

// Config is what the provider needs to talk to WeChat Pay API v3 as a
// direct merchant, verifying WeChat Pay's signatures with the WeChat Pay
// public key (PublicKeyID, PublicKeyFile), with platform certificates
// (PlatformCertificates), or with both during the switch from one to the
// other. Secrets come from files (or, for the APIv3 key, the value
// itself, e.g. from the environment); they are never logged.
type Config struct {
	// MchID is the merchant number (商户号).
	MchID string
	// AppID is the app / official-account id bound to MchID.
	AppID string
	// SerialNo is the serial number of the merchant API certificate whose
	// private key is PrivateKeyFile.
	SerialNo string
	// PrivateKeyFile is the merchant API private key (apiclient_key.pem,
	// PKCS#1 or PKCS#8 PEM). It must not be readable by others.
	PrivateKeyFile string
	// APIv3Key is the 32-character APIv3 key. Set it or APIv3KeyFile.
	APIv3Key string
	// APIv3KeyFile holds the APIv3 key (surrounding white space ignored);
	// an alternative to APIv3Key. It must not be readable by others.
	APIv3KeyFile string
	// PublicKeyID is the WeChat Pay public key ID, "PUB_KEY_ID_…".
	PublicKeyID string
	// PublicKeyFile is the WeChat Pay public key (PEM) that signs every
	// response and notification. PublicKeyID and PublicKeyFile go
	// together; they may be left empty only with PlatformCertificates.
	PublicKeyFile string
	// PlatformCertificates verifies with WeChat Pay platform certificates,
	// for merchants that have not switched to the WeChat Pay public key:
	// they are downloaded from /v3/certificates (decrypted with the APIv3
	// key) before the first call, again every 12 hours, and whenever an
	// answer or notification names one not known yet. With the public key
	// also set, both are accepted at once: during the 7-day switch
	// notifications come signed either way.
	PlatformCertificates bool
	// BaseURL is the API host; "" means production
	// (https://api.mch.weixin.qq.com). The sandbox gateway's base URL
	// points the provider at it.
	BaseURL string
	// NotifyURL is where WeChat Pay posts notifications when a request
	// names none of its own.
	NotifyURL string
	// StoreID is sent as scene_info.store_info.out_id with code payments;
	// "" means "qrtill".
	StoreID string
	// HTTPTimeout bounds one API call; 0 means DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// Clock is the time source for expiry and notification receipt times;
	// nil means time.Now.
	Clock func() time.Time
}

// Validate checks the configuration without reading any file. Each error
// names the field and the fix.
func (c Config) Validate() error {
	var errs []error
	need := func(v, field, fix string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("wechat: %s is empty; %s", field, fix))
		}
	}
	need(c.MchID, "MchID", "set it to the merchant number (商户号) shown in the WeChat Pay merchant platform")
	need(c.AppID, "AppID", "set it to the app id bound to the merchant number")
	need(c.SerialNo, "SerialNo", "set it to the serial number of the merchant API certificate")
	need(c.PrivateKeyFile, "PrivateKeyFile", "point it at the merchant API private key (apiclient_key.pem)")
	if c.usesPublicKey() || !c.PlatformCertificates {
		need(c.PublicKeyFile, "PublicKeyFile", "point it at the WeChat Pay public key file downloaded from the merchant platform, or set PlatformCertificates for a merchant that verifies with platform certificates")
	}
	switch {
	case c.APIv3Key == "" && c.APIv3KeyFile == "":
		errs = append(errs, errors.New("wechat: APIv3Key and APIv3KeyFile are both empty; set one of them to the 32-character APIv3 key"))
	case c.APIv3Key != "" && c.APIv3KeyFile != "":
		errs = append(errs, errors.New("wechat: APIv3Key and APIv3KeyFile are both set; keep only one"))
	case c.APIv3Key != "" && len(c.APIv3Key) != apiV3KeyLen:
		errs = append(errs, fmt.Errorf("wechat: APIv3Key is %d characters long; it must be the %d-character APIv3 key", len(c.APIv3Key), apiV3KeyLen))
	}
	if (c.usesPublicKey() || !c.PlatformCertificates) && (!strings.HasPrefix(c.PublicKeyID, publicKeyIDPrefix) || len(c.PublicKeyID) == len(publicKeyIDPrefix)) {
		errs = append(errs, fmt.Errorf("wechat: PublicKeyID %q is not a WeChat Pay public key ID; copy the full ID, including the %s prefix", c.PublicKeyID, publicKeyIDPrefix))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("wechat: BaseURL %q is not an http(s) URL; leave it empty for production or use e.g. http://127.0.0.1:8700", c.BaseURL))
		}
	}
	if c.NotifyURL != "" {
		if err := CheckNotifyURL(c.NotifyURL, c.live()); err != nil {
			errs = append(errs, fmt.Errorf("wechat: NotifyURL: %w", err))
		}
	}
	if c.HTTPTimeout < 0 {
		errs = append(errs, fmt.Errorf("wechat: HTTPTimeout %v is negative; use 0 for the default %v", c.HTTPTimeout, DefaultHTTPTimeout))
	}
	return errors.Join(errs...)
}

// usesPublicKey reports whether the WeChat Pay public key is configured.
func (c Config) usesPublicKey() bool { return c.PublicKeyID != "" || c.PublicKeyFile != "" }

// live reports whether the provider talks to WeChat Pay itself (no
// BaseURL), where a live merchant's notify URL must be https.
func (c Config) live() bool { return c.BaseURL == "" }

// CheckNotifyURL checks a notify URL as WeChat Pay requires it: absolute,
// no query string or fragment, at most 255 characters, and, for a live
// merchant (live true: WeChat Pay itself, not the sandbox), https. The
// error is one sentence with the fix; config checks call it too.
func CheckNotifyURL(s string, live bool) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if live && u.Scheme != "https" {
		return fmt.Errorf("%q is plain http, and WeChat Pay sends a live merchant's notifications only to https; serve the notify listener (or the relay) behind TLS and give its https:// URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a query or fragment; WeChat Pay needs a plain URL", s)
	}
	if len(s) > 255 {
		return fmt.Errorf("%q is longer than 255 characters", s)
	}
	return nil
}

// secrets are the key material read from the configured files.
type secrets struct {
	privateKeyPEM []byte
	publicKeyPEM  []byte
	apiV3Key      string
}

// loadSecrets reads the key files, refusing any readable by others.
func (c Config) loadSecrets() (secrets, error) {
	var s secrets
	var err error
	if s.privateKeyPEM, err = payments.ReadSecretFile(c.PrivateKeyFile); err != nil {
		return s, fmt.Errorf("wechat: PrivateKeyFile: %w", err)
	}
	if c.PublicKeyFile != "" {
		if s.publicKeyPEM, err = payments.ReadSecretFile(c.PublicKeyFile); err != nil {
			return s, fmt.Errorf("wechat: PublicKeyFile: %w", err)
		}
	}
	s.apiV3Key = c.APIv3Key
	if c.APIv3KeyFile != "" {
		b, err := payments.ReadSecretFile(c.APIv3KeyFile)
		if err != nil {
			return s, fmt.Errorf("wechat: APIv3KeyFile: %w", err)
		}
		s.apiV3Key = string(bytes.TrimSpace(b))
		if len(s.apiV3Key) != apiV3KeyLen {
			return s, fmt.Errorf("wechat: APIv3KeyFile %s holds %d characters; it must hold only the %d-character APIv3 key", c.APIv3KeyFile, len(s.apiV3Key), apiV3KeyLen)
		}
	}
	return s, nil
}
