// Package wechat is the WeChat Pay API v3 payment provider (Native QR,
// code payment, refunds, notifications), built on gopay. Every 2xx
// response and every notification must carry a signature by a key the
// provider trusts, or it is refused with payments.ErrBadSignature: the
// configured WeChat Pay public key, WeChat Pay platform certificates
// (downloaded from /v3/certificates and refreshed, for merchants that
// have not switched to the public key), or both during the switch.
//
// The same provider talks to the real WeChat Pay or, with Config.BaseURL,
// to the local sandbox gateway that speaks the same wire protocol.
package wechat

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-pay/gopay"
	"github.com/go-pay/gopay/pkg/xhttp"
	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// Provider is WeChat Pay v3 as a payments.Provider. It is safe for
// concurrent use.
type Provider struct {
	cfg      Config
	client   *wxv3.ClientV3
	apiV3Key string
	// keys are the keys notifications may be signed with, by
	// Wechatpay-Serial: the public key and the platform certificates
	// downloaded so far. Replaced, never changed, when certificates come.
	keys  atomic.Pointer[map[string]*rsa.PublicKey]
	certs *platformCerts // nil in public-key mode
	clock func() time.Time
}

var _ payments.Provider = (*Provider)(nil)

// New validates cfg, reads its key files and builds the provider. No
// network call is made: platform certificates are downloaded before the
// first call that needs them.
func New(cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sec, err := cfg.loadSecrets()
	if err != nil {
		return nil, err
	}
	if _, _, err := payments.ParsePrivateKeyPEM(sec.privateKeyPEM); err != nil {
		return nil, fmt.Errorf("wechat: PrivateKeyFile %s: %w; expected the merchant API private key (apiclient_key.pem)", cfg.PrivateKeyFile, err)
	}
	keys := map[string]*rsa.PublicKey{}
	// gopay's own error for a bad key quotes the PEM; the key was checked
	// above, so any error here is reported without it.
	client, err := wxv3.NewClientV3(cfg.MchID, cfg.SerialNo, sec.apiV3Key, string(sec.privateKeyPEM))
	if err != nil {
		return nil, errors.New("wechat: cannot build the API client from the configured keys")
	}
	if cfg.usesPublicKey() {
		pub, err := parsePublicKey(sec.publicKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("wechat: PublicKeyFile %s: %w", cfg.PublicKeyFile, err)
		}
		if err := client.AutoVerifySignByPublicKey(sec.publicKeyPEM, cfg.PublicKeyID); err != nil {
			return nil, fmt.Errorf("wechat: PublicKeyFile %s is not a usable RSA public key", cfg.PublicKeyFile)
		}
		keys[cfg.PublicKeyID] = pub
	}
	timeout := cfg.HTTPTimeout
	if timeout == 0 {
		timeout = DefaultHTTPTimeout
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	p := &Provider{cfg: cfg, client: client, apiV3Key: sec.apiV3Key, clock: clock}
	p.keys.Store(&keys)
	hc := xhttp.NewClient().SetTimeout(timeout)
	hc.SetTransport(certGuard{next: hc.HttpClient.Transport, p: p})
	client.SetHttpClient(hc)
	if cfg.BaseURL != "" {
		client.SetProxyHost(cfg.BaseURL)
	}
	if cfg.PlatformCertificates {
		if p.certs, err = newPlatformCerts(cfg, sec, timeout); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Channel names the provider: payments.WeChat.
func (p *Provider) Channel() payments.Channel { return payments.WeChat }

// certGuard is the API client's transport. It refuses gopay's own
// platform-certificate download: a response naming an unknown
// Wechatpay-Serial makes gopay fetch /v3/certificates and adopt what it
// finds, changing the client under calls in flight; refusing the fetch
// turns that into a plain signature failure. In platform-certificate mode
// the provider fetches them itself first: a 2xx response naming a serial
// it does not know yet makes it download the certificates (at most once
// a minute) before gopay looks the serial up.
type certGuard struct {
	next http.RoundTripper
	p    *Provider
}

// errCertFetch is what certGuard answers gopay's certificate download with.
var errCertFetch = errors.New("platform certificate download by gopay refused; the provider fetches certificates itself")

// RoundTrip implements http.RoundTripper.
func (g certGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/v3/certificates") {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, errCertFetch
	}
	resp, err := g.next.RoundTrip(r)
	if err == nil && resp.StatusCode/100 == 2 {
		g.p.learnSerial(resp.Header.Get(wxv3.HeaderSerial))
	}
	return resp, err
}

// parsePublicKey reads an RSA public key from a PKIX, PKCS#1 or
// certificate PEM.
func parsePublicKey(b []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block found; expected the WeChat Pay public key")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA public key")
	}
	return rk, nil
}

// APIError is a refusal or failure answered by WeChat Pay (a non-2xx
// status). It unwraps to payments.ErrUnavailable (5xx, 429),
// payments.ErrNotFound (404) or payments.ErrRejected (other 4xx), and a
// refused close also to payments.ErrCloseRefused.
type APIError struct {
	Op         string // the provider method, e.g. "query"
	HTTPStatus int
	Code       string // WeChat's error code, e.g. "ORDER_NOT_EXIST"
	Message    string // WeChat's message, shortened
	kinds      []error
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: HTTP %d %s: %s", e.Op, e.HTTPStatus, e.Code, e.Message)
}

// Unwrap returns the payments sentinels the answer maps to.
func (e *APIError) Unwrap() []error { return e.kinds }

// apiError classifies a non-success gopay answer. status is gopay's
// rsp.Code (the HTTP status).
func apiError(op string, status int, er wxv3.ErrResponse) *APIError {
	kind := payments.ErrRejected
	switch {
	case status >= 500 || status == http.StatusTooManyRequests:
		kind = payments.ErrUnavailable
	case status == http.StatusNotFound:
		kind = payments.ErrNotFound
	case status < 400:
		kind = payments.ErrMalformed // an unexpected 2xx/3xx
	}
	msg := er.Message
	if er.Detail.Issue != "" {
		msg += " (" + er.Detail.Field + ": " + er.Detail.Issue + ")"
	}
	return &APIError{Op: op, HTTPStatus: status, Code: er.Code, Message: shorten(msg, 200), kinds: []error{kind}}
}

// closeRefused marks a close refusal by a business rule (a 4xx other than
// 404 and 429) as payments.ErrCloseRefused too.
func closeRefused(e *APIError) *APIError {
	if errors.Is(e, payments.ErrRejected) {
		e.kinds = append(e.kinds, payments.ErrCloseRefused)
	}
	return e
}

// callError classifies an error returned by a gopay call. gopay returns
// a response together with an error only when the response's signature
// failed; without a response the call failed to parse or to travel.
// gopay's text is not passed on for parse failures: it quotes the body.
func callError(op string, gotResponse bool, err error) error {
	switch {
	case gotResponse:
		return fmt.Errorf("wechat %s: response signature did not verify: %w", op, payments.ErrBadSignature)
	case errors.Is(err, errCertFetch):
		return fmt.Errorf("wechat %s: response signed by an unknown key: %w", op, payments.ErrBadSignature)
	case errors.Is(err, gopay.UnmarshalErr):
		return fmt.Errorf("wechat %s: cannot parse the response: %w", op, payments.ErrMalformed)
	default:
		// Transport errors (*url.Error) name the URL and the cause, never a
		// body; they keep context.DeadlineExceeded and friends reachable.
		return fmt.Errorf("wechat %s: %w: %w", op, payments.ErrUnavailable, err)
	}
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut
// with "…".
func shorten(s string, n int) string {
	const mark = "…"
	if len(s) <= n {
		return s
	}
	n -= len(mark)
	if n < 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}
