package alipay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"qrtill/payments"
)

// keys is what New reads from the key files.
type keys struct {
	privateB64 string         // bare base64 DER of the app private key, the form gopay's NewClient wants
	publicB64  string         // public-key mode: bare base64 PKIX, the form gopay's VerifySign wants
	publicPEM  []byte         // public-key mode: the PEM, the form AutoVerifySign wants
	verify     *rsa.PublicKey // the key that signs Alipay's answers and notifications
	// Certificate mode: the three certificates (PEM).
	appCert, rootCert, alipayCert []byte
}

// loadKeys reads and checks every key and certificate file. All of them go
// through payments.ReadSecretFile, which refuses files others may read or
// write (a writable public key would let another user forge Alipay).
func loadKeys(cfg Config) (keys, error) {
	var k keys
	priv, err := payments.ReadSecretFile(cfg.AppPrivateKeyFile)
	if err != nil {
		return k, fmt.Errorf("alipay: AppPrivateKeyFile: %w", err)
	}
	_, der, err := payments.ParsePrivateKeyPEM(priv)
	if err != nil {
		return k, fmt.Errorf("alipay: AppPrivateKeyFile %s holds no PEM RSA private key (PKCS#8 or PKCS#1); export the app private key as PEM", cfg.AppPrivateKeyFile)
	}
	k.privateB64 = base64.StdEncoding.EncodeToString(der)
	if cfg.certMode() {
		for _, f := range []struct {
			name, path string
			dst        *[]byte
		}{{"AppCertFile", cfg.AppCertFile, &k.appCert}, {"AlipayRootCertFile", cfg.AlipayRootCertFile, &k.rootCert}, {"AlipayCertFile", cfg.AlipayCertFile, &k.alipayCert}} {
			if *f.dst, err = payments.ReadSecretFile(f.path); err != nil {
				return k, fmt.Errorf("alipay: %s: %w", f.name, err)
			}
		}
		if k.verify, err = certKey(k.alipayCert); err != nil {
			return k, fmt.Errorf("alipay: AlipayCertFile %s: %w; use the alipayCertPublicKey_RSA2.crt Alipay issued", cfg.AlipayCertFile, err)
		}
		return k, nil
	}
	if k.publicPEM, err = payments.ReadSecretFile(cfg.AlipayPublicKeyFile); err != nil {
		return k, fmt.Errorf("alipay: AlipayPublicKeyFile: %w", err)
	}
	block, _ := pem.Decode(k.publicPEM)
	if block == nil || block.Type != "PUBLIC KEY" {
		return k, fmt.Errorf("alipay: AlipayPublicKeyFile %s holds no PEM public key; wrap Alipay's public key in -----BEGIN PUBLIC KEY----- lines", cfg.AlipayPublicKeyFile)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	rsaPub, ok := pub.(*rsa.PublicKey)
	if err != nil || !ok {
		return k, fmt.Errorf("alipay: AlipayPublicKeyFile %s is not an RSA public key (PKIX)", cfg.AlipayPublicKeyFile)
	}
	k.verify = rsaPub
	k.publicB64 = base64.StdEncoding.EncodeToString(block.Bytes)
	return k, nil
}

// certKey returns the RSA key of the first certificate in a PEM file.
func certKey(pemData []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("certificate key is not RSA")
	}
	return pub, nil
}
