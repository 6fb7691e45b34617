package wechat

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The fixed test merchant behind the notification tests and the fuzz
// seed corpus (keys in testdata/, see testdata/README.md).
const (
	kitMchID    = "1900000109"
	kitAppID    = "wxd678efh567hg6787"
	kitSerialNo = "3775B6A45ACD588826D15E583A95F5DD00000001"
	kitPubKeyID = "PUB_KEY_ID_0114232134912410000000000001"
	kitAPIv3Key = "qrtillTestAPIv3Key0123456789abcd"
	kitNonce    = "fixednonce12" // 12 ASCII bytes
)

// kitTime is the fixed notification timestamp of the kit.
var kitTime = time.Date(2025, 1, 2, 15, 4, 5, 0, cst)

// copyKey copies a testdata key into dir with mode 0600 and returns its path.
func copyKey(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// kitConfig is a Config for the fixed test merchant, key files in a
// fresh temporary directory.
func kitConfig(t testing.TB) Config {
	t.Helper()
	dir := t.TempDir()
	return Config{
		MchID:          kitMchID,
		AppID:          kitAppID,
		SerialNo:       kitSerialNo,
		PrivateKeyFile: copyKey(t, dir, "test_merchant_key.pem"),
		APIv3Key:       kitAPIv3Key,
		PublicKeyID:    kitPubKeyID,
		PublicKeyFile:  copyKey(t, dir, "test_platform_pub.pem"),
		BaseURL:        "http://127.0.0.1:1", // never dialled by notification tests
		NotifyURL:      "http://127.0.0.1:1/notify/wechat",
		Clock:          func() time.Time { return kitTime },
	}
}

// kitProvider builds a provider for the fixed test merchant.
func kitProvider(t testing.TB) *Provider {
	t.Helper()
	p, err := New(kitConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// platformKey is the test stand-in for WeChat Pay's signing key.
func platformKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "test_platform_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// platformPub is the public half of platformKey.
func platformPub(t testing.TB) *rsa.PublicKey { return &platformKey(t).PublicKey }

// payResource is a TRANSACTION.SUCCESS plaintext for the kit merchant.
func payResource(outTradeNo string, totalFen, payerFen int64) map[string]any {
	return map[string]any{
		"appid": kitAppID, "mchid": kitMchID, "out_trade_no": outTradeNo,
		"transaction_id": "4200000000202501021234567890", "trade_type": "NATIVE",
		"trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
		"attach": "", "success_time": kitTime.Format(time.RFC3339),
		"payer":  map[string]any{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		"amount": map[string]any{"total": totalFen, "payer_total": payerFen, "currency": "CNY", "payer_currency": "CNY"},
	}
}

// notice describes one notification to build.
type notice struct {
	ID        string
	Event     string // default TRANSACTION.SUCCESS
	Resource  any    // plaintext object, JSON-encoded then encrypted
	Nonce     string // AES-GCM nonce; default kitNonce
	AAD       string // default "transaction"
	Key       string // APIv3 key to encrypt with; default kitAPIv3Key
	Serial    string // Wechatpay-Serial; default kitPubKeyID
	Timestamp string // default kitTime
	SigNonce  string // Wechatpay-Nonce; default fixed
}

// encode returns the notification body and its signature headers, signed
// with key. GCM with a nonce that is not 12 bytes is built by hand
// through cipher.NewGCMWithNonceSize, as a broken sender would.
func (n notice) encode(t testing.TB, key *rsa.PrivateKey) (http.Header, []byte) {
	t.Helper()
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&n.Event, "TRANSACTION.SUCCESS")
	def(&n.Nonce, kitNonce)
	def(&n.AAD, "transaction")
	def(&n.Key, kitAPIv3Key)
	def(&n.Serial, kitPubKeyID)
	def(&n.Timestamp, "1735801445")
	def(&n.SigNonce, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")
	plain, err := json.Marshal(n.Resource)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher([]byte(n.Key))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, len(n.Nonce))
	if err != nil {
		t.Fatal(err)
	}
	ct := gcm.Seal(nil, []byte(n.Nonce), plain, []byte(n.AAD))
	origType := "transaction"
	if n.Event != "TRANSACTION.SUCCESS" {
		origType = "refund"
	}
	body, err := json.Marshal(map[string]any{
		"id": n.ID, "create_time": kitTime.Format(time.RFC3339), "resource_type": "encrypt-resource",
		"event_type": n.Event, "summary": "支付成功",
		"resource": map[string]any{
			"original_type": origType, "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(ct), "associated_data": n.AAD, "nonce": n.Nonce,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Serial", n.Serial)
	h.Set("Wechatpay-Timestamp", n.Timestamp)
	h.Set("Wechatpay-Nonce", n.SigNonce)
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	h.Set("Wechatpay-Signature", signMessage(t, key, n.Timestamp+"\n"+n.SigNonce+"\n"+string(body)+"\n"))
	return h, body
}

// request builds the POST the till's listener would receive.
func (n notice) request(t testing.TB, key *rsa.PrivateKey) *http.Request {
	h, body := n.encode(t, key)
	return notifyRequest(h, body)
}

// notifyRequest wraps headers and body in a POST /notify/wechat.
func notifyRequest(h http.Header, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/notify/wechat", bytes.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

// signMessage is SHA256withRSA, base64, as WeChat Pay signs.
func signMessage(t testing.TB, key *rsa.PrivateKey, msg string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}
