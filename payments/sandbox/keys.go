package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"qrtill/payments"
)

// Keys are the sandbox's identities and key pairs: the merchant side (what
// a till configures) and the platform side (what the sandbox signs with).
type Keys struct {
	AlipayAppID       string          `json:"alipay_app_id"`
	AlipaySellerID    string          `json:"alipay_seller_id"`
	AlipayAppKey      *rsa.PrivateKey `json:"-"` // merchant's; the sandbox verifies requests with its public half
	AlipayPlatformKey *rsa.PrivateKey `json:"-"` // the sandbox signs responses and notifications with it

	WeChatMchID       string          `json:"wechat_mch_id"`
	WeChatAppID       string          `json:"wechat_app_id"`
	WeChatSerialNo    string          `json:"wechat_serial_no"`
	WeChatPublicKeyID string          `json:"wechat_public_key_id"`
	WeChatAPIv3Key    string          `json:"-"`
	WeChatMerchantKey *rsa.PrivateKey `json:"-"`
	WeChatPlatformKey *rsa.PrivateKey `json:"-"` // the WeChat Pay public key's private half

	// AlipayNextPlatformKey is the key of the certificate Alipay rotates to
	// (Certs.NextAlipayPEM); the alipay_cert_rotated mode signs with it.
	AlipayNextPlatformKey *rsa.PrivateKey `json:"-"`
	// WeChatCertKey is the WeChat Pay platform certificate's key
	// (Certs.WeChatPEM), apart from the public key's: a merchant that
	// trusts one cannot verify the other.
	WeChatCertKey *rsa.PrivateKey `json:"-"`

	// Files the keys were written to (empty until saved).
	AlipayAppPrivateKeyFile string `json:"-"`
	AlipayPublicKeyFile     string `json:"-"`
	WeChatPrivateKeyFile    string `json:"-"`
	WeChatPublicKeyFile     string `json:"-"`
	WeChatAPIv3KeyFile      string `json:"-"`

	// The certificates (Alipay certificate mode, the rotated Alipay
	// certificate, the WeChat Pay platform certificate).
	Certs                   *Certs `json:"-"`
	AlipayAppCertFile       string `json:"-"`
	AlipayRootCertFile      string `json:"-"`
	AlipayCertPublicKeyFile string `json:"-"`
}

// GenerateKeys makes a fresh set of ids, 2048-bit RSA key pairs and
// certificates.
func GenerateKeys() (*Keys, error) {
	k := &Keys{
		AlipayAppID:       "2021" + randDigits(12),
		AlipaySellerID:    "2088" + randDigits(12),
		WeChatMchID:       "19" + randDigits(8),
		WeChatAppID:       "wx" + randHex(8),
		WeChatSerialNo:    randHexUpper(20),
		WeChatPublicKeyID: "PUB_KEY_ID_0" + randDigits(30),
		WeChatAPIv3Key:    randAlnum32(),
	}
	if err := generateKeys(&k.AlipayAppKey, &k.AlipayPlatformKey, &k.WeChatMerchantKey, &k.WeChatPlatformKey,
		&k.AlipayNextPlatformKey, &k.WeChatCertKey); err != nil {
		return nil, err
	}
	certs, err := makeCerts(k)
	if err != nil {
		return nil, err
	}
	k.Certs = certs
	return k, nil
}

// generateKeys makes a 2048-bit RSA key into each *p, in parallel (a
// fresh sandbox makes eight; one at a time that is seconds).
func generateKeys(ps ...**rsa.PrivateKey) error {
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*p, errs[i] = rsa.GenerateKey(rand.Reader, 2048)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("generate sandbox key: %w", err)
	}
	return nil
}

// generateMissing makes the keys a state dir from an older sandbox lacks,
// dropping the certificates so they are issued again over all keys.
func (k *Keys) generateMissing() error {
	var missing []**rsa.PrivateKey
	for _, p := range []**rsa.PrivateKey{&k.AlipayNextPlatformKey, &k.WeChatCertKey} {
		if *p == nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	k.Certs = nil
	return generateKeys(missing...)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randHexUpper(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%X", b)
}

func randAlnum32() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Key file names under the state dir.
const (
	idsFile               = "ids.json"
	alipayAppPrivateFile  = "alipay_app_private_key.pem"
	alipayAppPublicFile   = "alipay_app_public_key.pem"
	alipayPlatformPrivate = "alipay_platform_private_key.pem"
	alipayPlatformPublic  = "alipay_public_key.pem"
	wechatMerchantPrivate = "wechat_merchant_private_key.pem"
	wechatMerchantPublic  = "wechat_merchant_public_key.pem"
	wechatPlatformPrivate = "wechat_platform_private_key.pem"
	wechatPlatformPublic  = "wechat_public_key.pem"
	wechatAPIv3KeyFile    = "wechat_api_v3_key"
	alipayRootCertFile    = "alipay_root_cert.crt"
	alipayAppCertFile     = "alipay_app_cert_public_key.crt"
	alipayCertFile        = "alipay_cert_public_key_rsa2.crt"
	alipayNextPrivate     = "alipay_next_platform_private_key.pem"
	alipayNextCertFile    = "alipay_cert_public_key_rsa2_next.crt"
	wechatCertPrivate     = "wechat_platform_cert_private_key.pem"
	wechatCertFile        = "wechat_platform_cert.pem"
)

// LoadOrCreateKeys reads the keys kept in dir, or makes and saves new
// ones on first start. Every file is written with mode 0600.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	k, err := loadKeys(dir)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	k, err = GenerateKeys()
	if err != nil {
		return nil, err
	}
	return k, k.Save(dir)
}

// Save writes the keys to dir (created 0700): PKCS#8 private keys, PKIX
// public keys, the ids and the APIv3 key, all mode 0600, and records the
// absolute file paths in k.
func (k *Keys) Save(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save sandbox keys: %w", err)
	}
	if err := k.generateMissing(); err != nil {
		return err
	}
	if k.Certs == nil {
		if k.Certs, err = makeCerts(k); err != nil {
			return err
		}
	}
	ids, _ := json.MarshalIndent(k, "", "  ")
	files := []struct {
		name string
		data func() ([]byte, error)
	}{
		{idsFile, func() ([]byte, error) { return ids, nil }},
		{wechatAPIv3KeyFile, func() ([]byte, error) { return []byte(k.WeChatAPIv3Key), nil }},
		{alipayAppPrivateFile, privatePEM(k.AlipayAppKey)},
		{alipayAppPublicFile, publicPEM(k.AlipayAppKey)},
		{alipayPlatformPrivate, privatePEM(k.AlipayPlatformKey)},
		{alipayPlatformPublic, publicPEM(k.AlipayPlatformKey)},
		{wechatMerchantPrivate, privatePEM(k.WeChatMerchantKey)},
		{wechatMerchantPublic, publicPEM(k.WeChatMerchantKey)},
		{wechatPlatformPrivate, privatePEM(k.WeChatPlatformKey)},
		{wechatPlatformPublic, publicPEM(k.WeChatPlatformKey)},
		{alipayRootCertFile, func() ([]byte, error) { return k.Certs.RootPEM, nil }},
		{alipayAppCertFile, func() ([]byte, error) { return k.Certs.AppPEM, nil }},
		{alipayCertFile, func() ([]byte, error) { return k.Certs.AlipayPEM, nil }},
		{alipayNextPrivate, privatePEM(k.AlipayNextPlatformKey)},
		{alipayNextCertFile, func() ([]byte, error) { return k.Certs.NextAlipayPEM, nil }},
		{wechatCertPrivate, privatePEM(k.WeChatCertKey)},
		{wechatCertFile, func() ([]byte, error) { return k.Certs.WeChatPEM, nil }},
	}
	for _, f := range files {
		data, err := f.data()
		if err != nil {
			return fmt.Errorf("save sandbox key %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), data, 0o600); err != nil {
			return fmt.Errorf("save sandbox key: %w", err)
		}
		if err := os.Chmod(filepath.Join(dir, f.name), 0o600); err != nil {
			return fmt.Errorf("save sandbox key: %w", err)
		}
	}
	k.setPaths(dir)
	return nil
}

func (k *Keys) setPaths(dir string) {
	k.AlipayAppPrivateKeyFile = filepath.Join(dir, alipayAppPrivateFile)
	k.AlipayPublicKeyFile = filepath.Join(dir, alipayPlatformPublic)
	k.WeChatPrivateKeyFile = filepath.Join(dir, wechatMerchantPrivate)
	k.WeChatPublicKeyFile = filepath.Join(dir, wechatPlatformPublic)
	k.WeChatAPIv3KeyFile = filepath.Join(dir, wechatAPIv3KeyFile)
	k.AlipayRootCertFile = filepath.Join(dir, alipayRootCertFile)
	k.AlipayAppCertFile = filepath.Join(dir, alipayAppCertFile)
	k.AlipayCertPublicKeyFile = filepath.Join(dir, alipayCertFile)
}

func loadKeys(dir string) (*Keys, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	ids, err := payments.ReadSecretFile(filepath.Join(dir, idsFile))
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, idsFile)); errors.Is(statErr, fs.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		return nil, err
	}
	k := &Keys{}
	if err := json.Unmarshal(ids, k); err != nil {
		return nil, fmt.Errorf("load sandbox keys: %s: %w", idsFile, err)
	}
	apiKey, err := payments.ReadSecretFile(filepath.Join(dir, wechatAPIv3KeyFile))
	if err != nil {
		return nil, err
	}
	k.WeChatAPIv3Key = string(apiKey)
	for name, p := range map[string]**rsa.PrivateKey{
		alipayAppPrivateFile: &k.AlipayAppKey, alipayPlatformPrivate: &k.AlipayPlatformKey,
		wechatMerchantPrivate: &k.WeChatMerchantKey, wechatPlatformPrivate: &k.WeChatPlatformKey,
	} {
		data, err := payments.ReadSecretFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		key, _, err := payments.ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("load sandbox key %s: %w", name, err)
		}
		*p = key
	}
	k.setPaths(dir)
	// Keys and certificates a state dir from an older sandbox lacks are
	// made and issued now.
	for name, p := range map[string]**rsa.PrivateKey{alipayNextPrivate: &k.AlipayNextPlatformKey, wechatCertPrivate: &k.WeChatCertKey} {
		if data, err := payments.ReadSecretFile(filepath.Join(dir, name)); err == nil {
			*p, _, _ = payments.ParsePrivateKeyPEM(data)
		}
		if *p == nil {
			return k, k.Save(dir)
		}
	}
	certs := &Certs{}
	for name, p := range map[string]*[]byte{alipayRootCertFile: &certs.RootPEM, alipayAppCertFile: &certs.AppPEM, alipayCertFile: &certs.AlipayPEM,
		alipayNextCertFile: &certs.NextAlipayPEM, wechatCertFile: &certs.WeChatPEM} {
		if *p, err = payments.ReadSecretFile(filepath.Join(dir, name)); err != nil {
			return k, k.Save(dir)
		}
	}
	if err := certs.computeSNs(); err != nil {
		return nil, err
	}
	k.Certs = certs
	return k, nil
}

func privatePEM(key *rsa.PrivateKey) func() ([]byte, error) {
	return func() ([]byte, error) {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
}

func publicPEM(key *rsa.PrivateKey) func() ([]byte, error) {
	return func() ([]byte, error) {
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
	}
}
