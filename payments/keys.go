package payments

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
)

// Errors of ParsePrivateKeyPEM; callers add the file and the fix.
var (
	ErrNoPEM         = errors.New("no PEM block found")
	ErrNotPrivateKey = errors.New("not a PKCS#1 or PKCS#8 private key")
	ErrNotRSA        = errors.New("not an RSA private key")
)

// ParsePrivateKeyPEM reads the RSA private key in the first PEM block of
// data, PKCS#1 or PKCS#8. It also returns the block's DER bytes, the form
// gopay's Alipay client takes (base64). Errors never quote the key.
func ParsePrivateKeyPEM(data []byte) (key *rsa.PrivateKey, der []byte, err error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, ErrNoPEM
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, block.Bytes, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, ErrNotPrivateKey
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, ErrNotRSA
	}
	return rk, block.Bytes, nil
}
