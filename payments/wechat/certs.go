package wechat

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/go-pay/gopay/pkg/xhttp"
	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// certRefresh is how often platform certificates are downloaded again
// (WeChat Pay: at least every 12 hours); certRetry how soon after a
// failed or an unasked download another may go out.
const (
	certRefresh = 12 * time.Hour
	certRetry   = time.Minute
)

// platformCerts downloads WeChat Pay platform certificates in
// platform-certificate mode, with a gopay client of its own (the API
// client refuses the download: see certGuard).
type platformCerts struct {
	fetcher *wxv3.ClientV3
	mu      sync.Mutex // one download at a time; guards the fields below
	loaded  time.Time  // the last download that succeeded; zero before the first
	tried   time.Time  // the last download tried
	lastErr error
}

// newPlatformCerts builds the downloader.
func newPlatformCerts(cfg Config, sec secrets, timeout time.Duration) (*platformCerts, error) {
	fetcher, err := wxv3.NewClientV3(cfg.MchID, cfg.SerialNo, sec.apiV3Key, string(sec.privateKeyPEM))
	if err != nil {
		return nil, errors.New("wechat: cannot build the certificate client from the configured keys")
	}
	fetcher.SetHttpClient(xhttp.NewClient().SetTimeout(timeout))
	if cfg.BaseURL != "" {
		fetcher.SetProxyHost(cfg.BaseURL)
	}
	return &platformCerts{fetcher: fetcher}, nil
}

// ready makes sure the provider can verify WeChat Pay before a call: in
// platform-certificate mode the certificates are downloaded if they never
// were, or were more than certRefresh ago. A failed refresh keeps the
// certificates held; with none (and no public key) the call cannot be
// verified and is not made: ErrUnavailable.
func (p *Provider) ready() error {
	if p.certs == nil {
		return nil
	}
	err := p.refreshCerts(false)
	if err != nil && len(*p.keys.Load()) == 0 {
		return fmt.Errorf("wechat: no WeChat Pay platform certificate to verify with (%v); check the merchant's keys and the network, or configure the WeChat Pay public key: %w", err, payments.ErrUnavailable)
	}
	return nil
}

// learnSerial is told the Wechatpay-Serial of each 2xx response: one not
// known in platform-certificate mode is a new certificate, downloaded now.
func (p *Provider) learnSerial(serial string) {
	if p.certs == nil || serial == "" || strings.HasPrefix(serial, publicKeyIDPrefix) {
		return
	}
	if _, ok := (*p.keys.Load())[serial]; !ok {
		_ = p.refreshCerts(true)
	}
}

// refreshCerts downloads the platform certificates when due (or, with
// unasked, because a serial was not known; at most once per certRetry)
// and adds them to the keys the provider and its gopay client verify with.
// The first time, with no public key configured, the newest becomes the
// client's verification key and the Wechatpay-Serial it sends: that
// happens before the first call (ready holds the others), so the client
// is never changed under a call.
func (p *Provider) refreshCerts(unasked bool) error {
	c := p.certs
	c.mu.Lock()
	defer c.mu.Unlock()
	now := p.clock()
	switch {
	case !c.loaded.IsZero() && !unasked && now.Sub(c.loaded) < certRefresh:
		return nil
	case !c.tried.IsZero() && now.Sub(c.tried) < certRetry:
		return c.lastErr
	}
	c.tried = now
	newest, found, err := c.download()
	if c.lastErr = err; err != nil {
		return err
	}
	keys := maps.Clone(*p.keys.Load())
	first := len(keys) == 0
	for serial, key := range found {
		keys[serial] = key
		p.client.SnCertMap.Store(serial, key)
	}
	if first && !p.cfg.usesPublicKey() {
		if err := p.client.AutoVerifySignByCert(publicKeyPEM(found[newest]), newest); err != nil {
			return fmt.Errorf("wechat: platform certificate %s: %w", newest, err)
		}
	}
	p.keys.Store(&keys)
	c.loaded = now
	return nil
}

// download fetches and checks the platform certificates: each must be an
// RSA certificate whose serial is the serial_no it was listed under.
func (c *platformCerts) download() (string, map[string]*rsa.PublicKey, error) {
	newest, certs, err := c.fetcher.GetAndSelectNewestCert()
	if err != nil {
		return "", nil, fmt.Errorf("download platform certificates: %v", err)
	}
	found := map[string]*rsa.PublicKey{}
	for serial, text := range certs {
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return "", nil, fmt.Errorf("platform certificate %s is not PEM", serial)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", nil, fmt.Errorf("platform certificate %s: %v", serial, err)
		}
		key, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || !strings.EqualFold(fmt.Sprintf("%X", cert.SerialNumber), serial) {
			return "", nil, fmt.Errorf("platform certificate listed as %s is not an RSA certificate with that serial", serial)
		}
		found[serial] = key
	}
	if found[newest] == nil {
		return "", nil, errors.New("download platform certificates: none usable")
	}
	return newest, found, nil
}

// publicKeyPEM is a key as a PKIX PEM block, the form gopay reads.
func publicKeyPEM(key *rsa.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
