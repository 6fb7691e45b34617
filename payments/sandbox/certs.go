package sandbox

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// Certs are the sandbox's certificates, all issued by one sandbox root CA:
//
//   - Alipay certificate mode: the root, the app's certificate (over the
//     app key) and Alipay's certificate (over the platform key), with the
//     SNs Alipay computes for them;
//   - the certificate Alipay rotates to (over Keys.AlipayNextPlatformKey),
//     issued through an intermediate CA and kept as a chain (leaf first),
//     as Alipay's own certificate files are; the alipay_cert_rotated mode
//     signs with it and alipay.open.app.alipaycert.download hands it out;
//   - the WeChat Pay platform certificate (over Keys.WeChatCertKey) that
//     GET /v3/certificates hands out, encrypted, in platform-certificate
//     mode.
type Certs struct {
	RootPEM, AppPEM, AlipayPEM []byte
	AppSN, RootSN, AlipaySN    string
	NextAlipayPEM              []byte // leaf, then the intermediate CA
	NextAlipaySN               string
	WeChatPEM                  []byte
	WeChatSerial               string    // serial_no: the certificate's serial in upper-case hex
	WeChatNotBefore            time.Time // effective_time
	WeChatNotAfter             time.Time // expire_time
}

// issuer is a CA that issues the sandbox's certificates.
type issuer struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// issue signs a certificate over pub.
func (ca issuer) issue(tmpl *x509.Certificate, pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return nil, fmt.Errorf("sandbox certs: %w", err)
	}
	return der, nil
}

// serial is a random positive certificate serial of 20 bytes, the first
// byte at least 0x10 so its hex form has 40 digits.
func serial() *big.Int {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	b[0] = 0x10 + b[0]%0x70
	return new(big.Int).SetBytes(b)
}

// certTemplate is a certificate valid from an hour ago for years.
func certTemplate(cn string, years int, isCA bool) *x509.Certificate {
	now := time.Now()
	t := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: cn, Organization: []string{"qrtill sandbox"}},
		NotBefore: now.Add(-time.Hour).Truncate(time.Second), NotAfter: now.AddDate(years, 0, 0).Truncate(time.Second),
		KeyUsage: x509.KeyUsageDigitalSignature, SignatureAlgorithm: x509.SHA256WithRSA}
	if isCA {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.KeyUsage |= x509.KeyUsageCertSign
	}
	return t
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// makeCerts issues every certificate for a key set from a fresh root CA
// (and, for the rotated Alipay certificate, an intermediate one).
func makeCerts(k *Keys) (*Certs, error) {
	var caKey, midKey *rsa.PrivateKey
	if err := generateKeys(&caKey, &midKey); err != nil {
		return nil, err
	}
	rootTmpl := certTemplate("qrtill sandbox root", 10, true)
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sandbox certs: %w", err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	ca := issuer{cert: root, key: caKey}
	c := &Certs{RootPEM: pemCert(rootDER)}
	der, err := ca.issue(certTemplate(k.AlipayAppID, 5, false), &k.AlipayAppKey.PublicKey)
	if err != nil {
		return nil, err
	}
	c.AppPEM = pemCert(der)
	if der, err = ca.issue(certTemplate("Alipay sandbox "+k.AlipaySellerID, 5, false), &k.AlipayPlatformKey.PublicKey); err != nil {
		return nil, err
	}
	c.AlipayPEM = pemCert(der)
	if c.NextAlipayPEM, err = nextAlipayChain(ca, midKey, k); err != nil {
		return nil, err
	}
	if der, err = ca.issue(certTemplate("Tenpay.com sandbox "+k.WeChatMchID, 5, false), &k.WeChatCertKey.PublicKey); err != nil {
		return nil, err
	}
	c.WeChatPEM = pemCert(der)
	return c, c.computeSNs()
}

// nextAlipayChain issues the certificate Alipay rotates to through an
// intermediate CA over midKey, and returns the chain leaf first.
func nextAlipayChain(root issuer, midKey *rsa.PrivateKey, k *Keys) ([]byte, error) {
	midDER, err := root.issue(certTemplate("qrtill sandbox class 2", 8, true), &midKey.PublicKey)
	if err != nil {
		return nil, err
	}
	mid, _ := x509.ParseCertificate(midDER)
	leafDER, err := issuer{cert: mid, key: midKey}.issue(certTemplate("Alipay sandbox "+k.AlipaySellerID+" (renewed)", 5, false), &k.AlipayNextPlatformKey.PublicKey)
	if err != nil {
		return nil, err
	}
	return append(pemCert(leafDER), pemCert(midDER)...), nil
}

func (c *Certs) computeSNs() error {
	var err error
	for _, s := range []struct {
		pem []byte
		sn  *string
	}{{c.AppPEM, &c.AppSN}, {c.RootPEM, &c.RootSN}, {c.AlipayPEM, &c.AlipaySN}, {c.NextAlipayPEM, &c.NextAlipaySN}} {
		if *s.sn, err = certSN(s.pem); err != nil {
			return err
		}
	}
	cert, err := firstCert(c.WeChatPEM)
	if err != nil {
		return err
	}
	c.WeChatSerial = fmt.Sprintf("%X", cert.SerialNumber)
	c.WeChatNotBefore, c.WeChatNotAfter = cert.NotBefore, cert.NotAfter
	return nil
}

// firstCert parses the first certificate of a PEM file.
func firstCert(pemData []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, fmt.Errorf("sandbox certs: no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sandbox certs: %w", err)
	}
	return cert, nil
}

// certSN is Alipay's certificate SN of a file's first certificate:
// hex(md5(issuer DN + decimal serial)). A root bundle's SN joins its RSA
// certificates' SNs with "_"; the sandbox's root bundle holds one.
func certSN(pemData []byte) (string, error) {
	cert, err := firstCert(pemData)
	if err != nil {
		return "", err
	}
	sum := md5.Sum([]byte(cert.Issuer.String() + cert.SerialNumber.String()))
	return hex.EncodeToString(sum[:]), nil
}
