package sandbox

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

func TestKeyIDs(t *testing.T) {
	k := sharedKeys(t)
	for name, c := range map[string]struct{ v, re string }{
		"alipay app_id":        {k.AlipayAppID, `^2021\d{12}$`},
		"alipay seller_id":     {k.AlipaySellerID, `^2088\d{12}$`},
		"wechat mch_id":        {k.WeChatMchID, `^\d{10}$`},
		"wechat app_id":        {k.WeChatAppID, `^wx[0-9a-f]{16}$`},
		"wechat serial_no":     {k.WeChatSerialNo, `^[0-9A-F]{40}$`},
		"wechat public_key_id": {k.WeChatPublicKeyID, `^PUB_KEY_ID_\d+$`},
		"wechat api_v3_key":    {k.WeChatAPIv3Key, `^[0-9A-Za-z]{32}$`},
	} {
		if !regexp.MustCompile(c.re).MatchString(c.v) {
			t.Errorf("%s %q does not match %s", name, c.v, c.re)
		}
	}
	for name, key := range map[string]*rsa.PrivateKey{"alipay app": k.AlipayAppKey, "alipay platform": k.AlipayPlatformKey,
		"wechat merchant": k.WeChatMerchantKey, "wechat platform": k.WeChatPlatformKey} {
		if key == nil || key.N.BitLen() != 2048 {
			t.Errorf("%s key is not 2048-bit RSA", name)
		}
	}
}

// readPEM reads one PEM block of the wanted type.
func readPEM(t *testing.T, path, typ string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		t.Fatalf("%s: no %s PEM block", path, typ)
	}
	return block.Bytes
}

func TestStateDirKeysAndInfo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	g, err := New(Config{StateDir: dir, BaseURL: "http://127.0.0.1:8700/", Keys: sharedKeys(t)})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()

	// sandbox.json: exactly DESIGN.md's shape (extra fields allowed).
	data, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["base_url"] != "http://127.0.0.1:8700" {
		t.Fatalf("base_url %v", raw["base_url"])
	}
	for section, fields := range map[string][]string{
		"alipay": {"gateway_url", "app_id", "seller_id", "app_private_key_file", "alipay_public_key_file"},
		"wechat": {"base_url", "mch_id", "app_id", "serial_no", "api_v3_key", "private_key_file", "public_key_id", "public_key_file"},
	} {
		m, ok := raw[section].(map[string]any)
		if !ok {
			t.Fatalf("no %q object in %s", section, data)
		}
		for _, f := range fields {
			if s, ok := m[f].(string); !ok || s == "" {
				t.Errorf("%s.%s = %v, want a string", section, f, m[f])
			}
		}
	}
	info, err := LoadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := sharedKeys(t)
	if info.Alipay.GatewayURL != "http://127.0.0.1:8700/gateway.do" || info.WeChat.BaseURL != "http://127.0.0.1:8700" ||
		info.Alipay.AppID != k.AlipayAppID || info.WeChat.MchID != k.WeChatMchID || info.WeChat.APIv3Key != k.WeChatAPIv3Key ||
		info.WeChat.PublicKeyID != k.WeChatPublicKeyID || info.WeChat.SerialNo != k.WeChatSerialNo {
		t.Fatalf("info %+v", info)
	}

	// Key files: absolute, 0600, PKCS#8 private and PKIX public, and the
	// right halves: the merchant's private keys, the platform's public ones.
	private := map[string]*rsa.PrivateKey{info.Alipay.AppPrivateKeyFile: k.AlipayAppKey, info.WeChat.PrivateKeyFile: k.WeChatMerchantKey}
	public := map[string]*rsa.PrivateKey{info.Alipay.AlipayPublicKeyFile: k.AlipayPlatformKey, info.WeChat.PublicKeyFile: k.WeChatPlatformKey}
	for p, want := range private {
		key, err := x509.ParsePKCS8PrivateKey(readPEM(t, p, "PRIVATE KEY"))
		if err != nil || !want.Equal(key) {
			t.Errorf("%s: not the merchant's PKCS#8 key (%v)", p, err)
		}
	}
	for p, want := range public {
		key, err := x509.ParsePKIXPublicKey(readPEM(t, p, "PUBLIC KEY"))
		if err != nil || !want.PublicKey.Equal(key) {
			t.Errorf("%s: not the platform's PKIX key (%v)", p, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	for _, p := range []string{info.Alipay.AppPrivateKeyFile, info.Alipay.AlipayPublicKeyFile, info.WeChat.PrivateKeyFile, info.WeChat.PublicKeyFile} {
		if !filepath.IsAbs(p) || filepath.Dir(p) != mustAbs(t, dir) {
			t.Errorf("%s is not an absolute path in the state dir", p)
		}
	}

	// A second start loads the same keys and ids.
	again, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.AlipayAppID != k.AlipayAppID || again.WeChatAPIv3Key != k.WeChatAPIv3Key || again.WeChatSerialNo != k.WeChatSerialNo ||
		!again.AlipayAppKey.Equal(k.AlipayAppKey) || !again.AlipayPlatformKey.Equal(k.AlipayPlatformKey) ||
		!again.WeChatMerchantKey.Equal(k.WeChatMerchantKey) || !again.WeChatPlatformKey.Equal(k.WeChatPlatformKey) {
		t.Fatal("keys not kept across restarts")
	}
	if again.AlipayAppPrivateKeyFile != info.Alipay.AppPrivateKeyFile {
		t.Fatalf("reloaded paths %s", again.AlipayAppPrivateKeyFile)
	}

	// A key file others can read is refused, with the fix.
	os.Chmod(info.WeChat.PrivateKeyFile, 0o644)
	if _, err := LoadOrCreateKeys(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loose key file: %v", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoadInfoMissing(t *testing.T) {
	if _, err := LoadInfo(t.TempDir()); err == nil {
		t.Fatal("LoadInfo of an empty dir succeeded")
	}
}

// TestStateDirTrades: a restarted sandbox still knows its trades.
func TestStateDirTrades(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	g, err := New(Config{StateDir: dir, Keys: sharedKeys(t), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water", "http://n", clock.Now().Add(time.Minute))
	g.Ledger().Pay("A1")
	g.Ledger().Refund("A1", "R1", 250)
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 300, "Tea", "", clock.Now().Add(time.Minute))
	g.Close()
	before, _ := g.Ledger().Get("A1")
	if st, err := os.Stat(filepath.Join(dir, TradesFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v", TradesFile, err)
	}

	clock.Add(time.Hour)
	g2, err := New(Config{StateDir: dir, Keys: sharedKeys(t), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	after, err := g2.Ledger().Get("A1")
	if err != nil || after.Status != StatusPaid || after.TradeNo != before.TradeNo || after.RefundedFen != 250 ||
		len(after.Refunds) != 1 || !after.PaidAt.Equal(before.PaidAt) {
		t.Fatalf("after restart %+v %v", after, err)
	}
	if w, _ := g2.Ledger().Get("W1"); w.Status != StatusClosed {
		t.Fatalf("W1 expired meanwhile, yet %s", w.Status)
	}
	// A broken file stops the start with the fix.
	os.WriteFile(filepath.Join(dir, TradesFile), []byte("{"), 0o600)
	if _, err := New(Config{StateDir: dir, Keys: sharedKeys(t)}); err == nil || !strings.Contains(err.Error(), "delete the file") {
		t.Fatalf("broken trades file: %v", err)
	}
}

// TestStateDirGainsNewKeys: a state dir from a sandbox before the rotated
// Alipay certificate and the WeChat platform certificate gets them on
// load, keeping its keys and ids.
func TestStateDirGainsNewKeys(t *testing.T) {
	dir := t.TempDir()
	k := sharedKeys(t)
	if err := k.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{alipayNextPrivate, alipayNextCertFile, wechatCertPrivate, wechatCertFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !got.AlipayAppKey.Equal(k.AlipayAppKey) || got.WeChatMchID != k.WeChatMchID || got.AlipayNextPlatformKey == nil || got.WeChatCertKey == nil {
		t.Fatal("keys not kept, or new ones not made")
	}
	c := got.Certs
	if sn, _ := certSN(c.NextAlipayPEM); sn != c.NextAlipaySN || sn == c.AlipaySN {
		t.Fatalf("rotated certificate SN %s / %s", sn, c.NextAlipaySN)
	}
	cert, err := firstCert(c.WeChatPEM)
	if err != nil || !got.WeChatCertKey.PublicKey.Equal(cert.PublicKey) || len(c.WeChatSerial) != 40 {
		t.Fatalf("WeChat platform certificate: %v serial %q", err, c.WeChatSerial)
	}
	again, err := LoadOrCreateKeys(dir)
	if err != nil || !again.WeChatCertKey.Equal(got.WeChatCertKey) || again.Certs.WeChatSerial != c.WeChatSerial || again.Certs.NextAlipaySN != c.NextAlipaySN {
		t.Fatalf("second load differs: %v", err)
	}
}
