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

// Certs are the sandbox's Alipay certificate-mode material: a root CA,
// the app's certificate (over the app key) and Alipay's certificate (over
// the platform key), with the SNs Alipay computes for them.
type Certs struct {
	RootPEM, AppPEM, AlipayPEM []byte
	AppSN, RootSN, AlipaySN    string
}

// makeCerts issues the certificates for a key set with a fresh CA.
func makeCerts(k *Keys) (*Certs, error) {
	ca, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sandbox certs: %w", err)
	}
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "qrtill sandbox root", Organization: []string{"qrtill sandbox"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, SignatureAlgorithm: x509.SHA256WithRSA}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &ca.PublicKey, ca)
	if err != nil {
		return nil, fmt.Errorf("sandbox certs: %w", err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leaf := func(serial int64, cn string, pub *rsa.PublicKey) ([]byte, error) {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"qrtill sandbox"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
			SignatureAlgorithm: x509.SHA256WithRSA}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, root, pub, ca)
		if err != nil {
			return nil, fmt.Errorf("sandbox certs: %w", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
	}
	c := &Certs{RootPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER})}
	if c.AppPEM, err = leaf(now.UnixNano()+1, k.AlipayAppID, &k.AlipayAppKey.PublicKey); err != nil {
		return nil, err
	}
	if c.AlipayPEM, err = leaf(now.UnixNano()+2, "Alipay sandbox "+k.AlipaySellerID, &k.AlipayPlatformKey.PublicKey); err != nil {
		return nil, err
	}
	return c, c.computeSNs()
}

func (c *Certs) computeSNs() error {
	var err error
	if c.AppSN, err = certSN(c.AppPEM); err != nil {
		return err
	}
	if c.RootSN, err = certSN(c.RootPEM); err != nil {
		return err
	}
	c.AlipaySN, err = certSN(c.AlipayPEM)
	return err
}

// certSN is Alipay's certificate SN: hex(md5(issuer DN + decimal serial)).
// A root bundle's SN joins its RSA certificates' SNs with "_"; the
// sandbox's root bundle holds one.
func certSN(pemData []byte) (string, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return "", fmt.Errorf("sandbox certs: no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("sandbox certs: %w", err)
	}
	sum := md5.Sum([]byte(cert.Issuer.String() + cert.SerialNumber.String()))
	return hex.EncodeToString(sum[:]), nil
}
