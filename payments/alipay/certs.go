package alipay

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// signer is who signs Alipay's answers as the provider knows it now: the
// gopay client that verifies with that key, the certificate's SN
// (certificate mode; "" in public-key mode) and the key itself. Alipay
// may rotate its certificate; the provider then swaps in a new signer,
// so one is never changed once in use.
type signer struct {
	client *goali.Client
	certSN string
	verify *rsa.PublicKey
	// certs are the Alipay certificates (PEM) notifications may be signed
	// with, the current one first: notifications signed before a
	// rotation are still retried afterwards.
	certs [][]byte
}

// certChanged is an answer signed under another certificate than the
// current one.
type certChanged struct{ sn string }

// Error names the new certificate.
func (e *certChanged) Error() string { return "answer signed with Alipay certificate " + e.sn }

// rotationRetry is how long a certificate that could not be fetched is
// not asked for again, and how often a failing notification may make the
// provider look for a new certificate.
const rotationRetry = time.Minute

// newSigner builds the gopay client for one Alipay certificate (or, in
// public-key mode, the public key).
func (p *Provider) newSigner(alipayCert []byte, earlier [][]byte) (*signer, error) {
	client, err := goali.NewClient(p.cfg.AppID, p.keys.privateB64, p.cfg.Prod)
	if err != nil {
		return nil, fmt.Errorf("alipay: AppPrivateKeyFile %s is not a usable RSA private key", p.cfg.AppPrivateKeyFile)
	}
	client.SetLogger(quiet{})
	client.SetLocation(goali.LocationShanghai)
	client.SetHttpClient(p.http)
	s := &signer{client: client}
	if !p.cfg.certMode() {
		client.AutoVerifySign(p.keys.publicPEM)
		s.verify = p.keys.verify
		return s, nil
	}
	if err := client.SetCertSnByContent(p.keys.appCert, p.keys.rootCert, alipayCert); err != nil {
		return nil, fmt.Errorf("alipay: the certificate files are not usable Alipay certificates (%v); use the three .crt files Alipay issued", err)
	}
	if s.verify, err = certKey(alipayCert); err != nil {
		return nil, fmt.Errorf("alipay: Alipay certificate: %w", err)
	}
	client.AutoVerifySign(alipayCert)
	s.certSN = client.AliPayPublicCertSN
	s.certs = append([][]byte{alipayCert}, earlier...)
	return s, nil
}

// rotate makes the certificate with SN sn the current one: it downloads
// it (alipay.open.app.alipaycert.download), checks it chains to the
// configured root certificate and carries that SN, and swaps in a signer
// for it. An SN whose certificate was refused (not a passing network
// failure) is not asked for again for rotationRetry. The error names the
// SN and the fix.
func (p *Provider) rotate(ctx context.Context, sn string) (*signer, error) {
	p.rotateMu.Lock()
	defer p.rotateMu.Unlock()
	cur := p.signer.Load()
	if cur.certSN == sn {
		return cur, nil // rotated meanwhile
	}
	if p.failedSN == sn && p.clock().Sub(p.failedAt) < rotationRetry {
		return nil, p.failedErr
	}
	next, err := p.fetchSigner(ctx, cur, sn)
	if err != nil {
		if !errors.Is(err, payments.ErrUnavailable) {
			p.failedSN, p.failedAt, p.failedErr = sn, p.clock(), err
		}
		return nil, err
	}
	p.signer.Store(next)
	return next, nil
}

// fetchSigner downloads and checks the certificate with SN sn.
func (p *Provider) fetchSigner(ctx context.Context, cur *signer, sn string) (*signer, error) {
	fix := fmt.Sprintf("download Alipay's public key certificate %s (alipayCertPublicKey_RSA2.crt) from the Alipay open platform, point AlipayCertFile at it and restart", sn)
	rsp, err := cur.client.PublicCertDownload(ctx, gopay.BodyMap{"alipay_cert_sn": sn})
	if err != nil {
		kind := payments.ErrUnavailable
		if _, biz := goali.IsBizError(err); biz {
			kind = payments.ErrBadSignature
		}
		return nil, fmt.Errorf("alipay: Alipay now signs with certificate %s, which could not be downloaded (%v); %s: %w", sn, classify("cert download", err), fix, kind)
	}
	cert := []byte(rsp.Response.AlipayCertContent)
	if err := checkCert(cert, sn, p.keys.rootCert, p.clock()); err != nil {
		return nil, fmt.Errorf("alipay: Alipay now signs with certificate %s, and the one downloaded is not trusted (%v); %s: %w", sn, err, fix, payments.ErrBadSignature)
	}
	return p.newSigner(cert, cur.certs)
}

// checkCert checks a downloaded Alipay certificate file: its first
// certificate has SN sn and chains, through the file's other
// certificates, to one of the root bundle's, valid at now.
func checkCert(certPEM []byte, sn string, rootBundle []byte, now time.Time) error {
	chain := parseCerts(certPEM)
	if len(chain) == 0 {
		return errors.New("no certificate in the download")
	}
	if got, err := goali.GetCertSN(certPEM); err != nil || got != sn {
		return fmt.Errorf("the download is certificate %q, not %s", got, sn)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range parseCerts(rootBundle) {
		roots.AddCert(c)
	}
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := chain[0].Verify(opts); err != nil {
		return fmt.Errorf("it does not chain to AlipayRootCertFile: %v", err)
	}
	if _, ok := chain[0].PublicKey.(*rsa.PublicKey); !ok {
		return errors.New("its key is not RSA")
	}
	return nil
}

// parseCerts reads every certificate of a PEM file that Go can parse (a
// root bundle may hold SM2 certificates it cannot).
func parseCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		if block, data = pem.Decode(data); block == nil {
			return out
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && block.Type == "CERTIFICATE" {
			out = append(out, c)
		}
	}
}
