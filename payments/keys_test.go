package payments

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

func TestParsePrivateKeyPEM(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	tests := []struct {
		name    string
		data    []byte
		wantDER []byte
		wantErr error
	}{
		{"PKCS#1", block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)), x509.MarshalPKCS1PrivateKey(key), nil},
		{"PKCS#8", block("PRIVATE KEY", pkcs8), pkcs8, nil},
		{"not PEM", []byte("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), nil, ErrNoPEM},
		{"a public key", block("PUBLIC KEY", pub), nil, ErrNotPrivateKey},
		{"an EC key", block("PRIVATE KEY", ecDER), nil, ErrNotRSA},
	}
	for _, tt := range tests {
		got, der, err := ParsePrivateKeyPEM(tt.data)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if tt.wantErr == nil && (!got.Equal(key) || string(der) != string(tt.wantDER)) {
			t.Errorf("%s: wrong key or DER", tt.name)
		}
	}
}
