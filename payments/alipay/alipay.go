// Package alipay is the Alipay payment provider (当面付: merchant QR,
// customer bar code, refunds, notifications) on gopay's OpenAPI v1
// client, RSA2, in public-key or certificate mode.
//
// Every answer's signature is checked: gopay verifies success answers
// (AutoVerifySign), the provider verifies signed business-error answers
// itself. Notifications count only when they verify and name this app and
// seller. Amounts cross the package boundary as int64 fen; Alipay's yuan
// strings are made and read here, by integer arithmetic and string
// splitting, never floats. Keys and signed payloads are never logged:
// gopay's own logger is silenced.
//
// Config.GatewayURL points the client, by its HTTP transport, at another
// gateway that speaks the same protocol (the local sandbox).
package alipay

import (
	"context"
	"fmt"
	"net/url"
	"time"
	_ "time/tzdata" // Asia/Shanghai for gopay's request timestamps, even without system zoneinfo

	goali "github.com/go-pay/gopay/alipay"
	"github.com/go-pay/gopay/pkg/xhttp"

	"qrtill/payments"
)

// Provider is Alipay as a payments.Provider. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	client *goali.Client
	keys   keys
	certSN string // certificate mode: the SN of Alipay's certificate, as answers carry it
	clock  func() time.Time
	// cancelRetries and cancelDelay bound retrying trade.cancel while
	// Alipay answers retry_flag Y or cannot be reached (the official
	// 当面付 demo: 3 tries, 2 s apart).
	cancelRetries int
	cancelDelay   time.Duration
}

var _ payments.Provider = (*Provider)(nil)

// New checks the configuration, reads the key files and builds the
// provider. It makes no network call.
func New(cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.QRTimeout == 0 {
		cfg.QRTimeout = DefaultQRTimeout
	}
	if cfg.HTTPTimeout == 0 {
		cfg.HTTPTimeout = DefaultHTTPTimeout
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	k, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	client, err := goali.NewClient(cfg.AppID, k.privateB64, cfg.Prod)
	if err != nil {
		return nil, fmt.Errorf("alipay: AppPrivateKeyFile %s is not a usable RSA private key", cfg.AppPrivateKeyFile)
	}
	client.SetLogger(quiet{})
	client.SetLocation(goali.LocationShanghai)
	p := &Provider{cfg: cfg, client: client, keys: k, clock: cfg.Clock, cancelRetries: 3, cancelDelay: 2 * time.Second}
	if cfg.certMode() {
		if err := client.SetCertSnByContent(k.appCert, k.rootCert, k.alipayCert); err != nil {
			return nil, fmt.Errorf("alipay: the certificate files are not usable Alipay certificates (%v); use the three .crt files Alipay issued", err)
		}
		p.certSN = client.AliPayPublicCertSN
		client.AutoVerifySign(k.alipayCert)
	} else {
		client.AutoVerifySign(k.publicPEM)
	}
	hc := xhttp.NewClient().SetTimeout(cfg.HTTPTimeout)
	next := hc.HttpClient.Transport
	if cfg.GatewayURL != "" {
		u, _ := url.Parse(cfg.GatewayURL) // checked by Validate
		next = redirect{scheme: u.Scheme, host: u.Host, next: next}
	}
	hc.SetTransport(keepAnswer{next: next})
	client.SetHttpClient(hc)
	return p, nil
}

// Channel is Alipay.
func (p *Provider) Channel() payments.Channel { return payments.Alipay }

// quiet is gopay's logger, silenced: gopay would print key material and
// payloads to stdout, which is the till's screen.
type quiet struct{}

func (quiet) Debug(...any)          {}
func (quiet) Info(...any)           {}
func (quiet) Warn(...any)           {}
func (quiet) Error(...any)          {}
func (quiet) Debugf(string, ...any) {}
func (quiet) Infof(string, ...any)  {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}

// notifyURL is a request's notify_url, or the configured default.
func (p *Provider) notifyURL(requested string) string {
	if requested != "" {
		return requested
	}
	return p.cfg.NotifyURL
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// mismatch reports an answer about another trade than the one asked
// about: a signature binds an answer's content, not the question, so a
// replayed answer for another trade must not count.
func mismatch(op, asked, answered string) error {
	if answered == "" || answered == asked {
		return nil
	}
	return fmt.Errorf("alipay %s: asked about %s, answer is about %s: %w", op, asked, answered, payments.ErrMalformed)
}
