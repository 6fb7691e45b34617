// Package alipay is the Alipay payment provider (当面付: merchant QR,
// customer bar code, refunds, notifications) on gopay's OpenAPI v1
// client, RSA2, in public-key or certificate mode.
//
// Every answer's signature is checked: gopay verifies success answers
// (AutoVerifySign), the provider verifies signed business-error answers
// itself. In certificate mode an answer may omit alipay_cert_sn (it is
// verified with the current certificate, as gopay and Alipay's Java SDK
// do); one naming another certificate means Alipay rotated it: the
// provider downloads that certificate (alipay.open.app.alipaycert.download),
// trusts it only if it chains to the configured root certificate, and
// carries on with it, or stops with a sentence naming the new SN and the
// fix. Notifications count only when they verify and name this app and
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
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Shanghai for gopay's request timestamps, even without system zoneinfo

	"github.com/go-pay/gopay/pkg/xhttp"

	"qrtill/payments"
)

// Provider is Alipay as a payments.Provider. It is safe for concurrent use.
type Provider struct {
	cfg   Config
	keys  keys
	http  *xhttp.Client // every gopay client's, pointed at GatewayURL
	clock func() time.Time
	// signer is Alipay's signing certificate (or public key) as known now,
	// with the gopay client that verifies with it; rotate swaps it.
	signer   atomic.Pointer[signer]
	rotateMu sync.Mutex // one certificate download at a time; guards the fields below
	// The last certificate that could not be fetched, when, and why.
	failedSN  string
	failedAt  time.Time
	failedErr error
	probedAt  time.Time // when a failing notification last made the provider look for a new certificate
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
	hc := xhttp.NewClient().SetTimeout(cfg.HTTPTimeout)
	next := hc.HttpClient.Transport
	if cfg.GatewayURL != "" {
		u, _ := url.Parse(cfg.GatewayURL) // checked by Validate
		next = redirect{scheme: u.Scheme, host: u.Host, next: next}
	}
	hc.SetTransport(keepAnswer{next: next})
	p := &Provider{cfg: cfg, keys: k, http: hc, clock: cfg.Clock, cancelRetries: 3, cancelDelay: 2 * time.Second}
	s, err := p.newSigner(k.alipayCert, nil)
	if err != nil {
		return nil, err
	}
	p.signer.Store(s)
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
