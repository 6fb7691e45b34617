package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"qrtill/payments/alipay"
	"qrtill/payments/wechat"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("config", "", "")
	fs.String("data", "", "")
	fs.String("lang", "", "")
	fs.Bool("demo", false, "")
	fs.String("addr", "", "")
	fs.String("idle-timeout", "", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c, err := Load("", flagSet(t), env(map[string]string{"HOME": "/home/x", "LANG": "zh_CN.UTF-8"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Data != "/home/x/.local/share/qrtill" || c.Lang != "zh" || !c.DemoMode() {
		t.Fatalf("defaults = data %q lang %q demo %v", c.Data, c.Lang, c.DemoMode())
	}
	c, _ = Load("", flagSet(t), env(map[string]string{"XDG_DATA_HOME": "/xdg", "LANG": "C"}))
	if c.Data != "/xdg/qrtill" || c.Lang != "en" {
		t.Fatalf("xdg defaults = %q %q", c.Data, c.Lang)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "q.toml", "data = \"/from/file\"\nlang = \"zh\"\n[relay]\naddr = \"1.2.3.4:1\"\n")
	e := map[string]string{"HOME": "/h", "QRTILL_CONFIG": file}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantData string
		wantLang string
	}{
		{"file", nil, nil, "/from/file", "zh"},
		{"env beats file", map[string]string{"QRTILL_DATA": "/from/env"}, nil, "/from/env", "zh"},
		{"flag beats env", map[string]string{"QRTILL_DATA": "/from/env"}, []string{"--data", "/from/flag", "--lang", "en"}, "/from/flag", "en"},
	}
	for _, tt := range tests {
		m := map[string]string{}
		for k, v := range e {
			m[k] = v
		}
		for k, v := range tt.env {
			m[k] = v
		}
		c, err := Load("relay", flagSet(t, tt.args...), env(m))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Data != tt.wantData || c.Lang != tt.wantLang {
			t.Errorf("%s: data %q lang %q, want %q %q", tt.name, c.Data, c.Lang, tt.wantData, tt.wantLang)
		}
		if c.Relay.Addr != "1.2.3.4:1" {
			t.Errorf("%s: relay addr %q from file lost", tt.name, c.Relay.Addr)
		}
	}
	// The same flag name means the setting of the command at hand.
	c, err := Load("relay", flagSet(t, "--addr", "127.0.0.1:9"), env(e))
	if err != nil || c.Relay.Addr != "127.0.0.1:9" || c.Sandbox.Addr != "127.0.0.1:8700" {
		t.Errorf("relay --addr: relay %q sandbox %q err %v", c.Relay.Addr, c.Sandbox.Addr, err)
	}
	c, err = Load("serve", flagSet(t, "--idle-timeout", "5m"), env(nil))
	if err != nil || c.SSH.IdleTimeout != 5*time.Minute {
		t.Errorf("serve --idle-timeout: %v %v", c.SSH.IdleTimeout, err)
	}
	if _, err := Load("serve", flagSet(t, "--idle-timeout", "soon"), env(nil)); err == nil || !strings.Contains(err.Error(), "30m") {
		t.Errorf("bad duration error = %v", err)
	}
}

func TestFileErrors(t *testing.T) {
	unknown := writeFile(t, "u.toml", "lang = \"en\"\ncolour = \"red\"\n[alipay]\nappid = \"x\"\n")
	_, err := Load("", flagSet(t, "--config", unknown), env(nil))
	if err == nil || !strings.Contains(err.Error(), "unknown setting alipay.appid, colour") {
		t.Errorf("unknown keys error = %v", err)
	}
	broken := writeFile(t, "b.toml", "lang = \n")
	_, err = Load("", flagSet(t, "--config", broken), env(nil))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("syntax error = %v", err)
	}
	_, err = Load("", flagSet(t, "--config", "/nonexistent.toml"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.pem")
	os.WriteFile(loose, []byte("k"), 0o644)
	os.Chmod(loose, 0o644)
	tight := filepath.Join(dir, "tight.pem")
	os.WriteFile(tight, []byte("k"), 0o600)

	base := Defaults(env(map[string]string{"HOME": "/h"}))
	tests := []struct {
		name string
		edit func(c *Config)
		want []string
	}{
		{"bad lang", func(c *Config) { c.Lang = "fr" }, []string{"lang: \"fr\"", "use en or zh"}},
		{"alipay missing fields", func(c *Config) { c.Alipay.AppID = "2021" }, []string{"alipay.seller_id: missing", "alipay.app_private_key_file: missing"}},
		{"alipay loose key", func(c *Config) {
			c.Alipay = alipay.Config{AppID: "1", SellerID: "2", AppPrivateKeyFile: loose, AlipayPublicKeyFile: tight}
		}, []string{"alipay.app_private_key_file", "chmod 600 " + loose}},
		{"wechat bad key id", func(c *Config) {
			c.WeChat = wechat.Config{MchID: "1", AppID: "wx", SerialNo: "s", PrivateKeyFile: tight, APIv3KeyFile: tight, PublicKeyID: "X", PublicKeyFile: tight}
		}, []string{"wechat.public_key_id: \"X\" should start with PUB_KEY_ID_"}},
		{"relay without till", func(c *Config) { c.Notify.RelayURL = "https://r"; c.Notify.RelayTokenFile = tight }, []string{"notify.relay_till"}},
		{"wechat live notify over http", func(c *Config) {
			c.WeChat = wechat.Config{MchID: "1", AppID: "wx", SerialNo: "s", PrivateKeyFile: tight, APIv3KeyFile: tight,
				PublicKeyID: "PUB_KEY_ID_1", PublicKeyFile: tight}
			c.Notify.PublicURL = "http://shop.example"
		}, []string{"notify.public_url", "plain http", "https"}},
		{"wechat neither public key nor platform certificates", func(c *Config) {
			c.WeChat = wechat.Config{MchID: "1", AppID: "wx", SerialNo: "s", PrivateKeyFile: tight, APIv3KeyFile: tight}
		}, []string{"wechat.public_key_id: missing", "platform_certificates"}},
	}
	for _, tt := range tests {
		c := base
		tt.edit(&c)
		err := c.Validate()
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to contain %q", tt.name, err, w)
			}
		}
	}
	ok := base
	ok.Alipay = alipay.Config{AppID: "1", SellerID: "2", AppPrivateKeyFile: tight, AlipayPublicKeyFile: tight}
	if err := ok.Validate(); err != nil || ok.DemoMode() {
		t.Errorf("valid live config: err %v demo %v", err, ok.DemoMode())
	}
	platform := base // a merchant still on platform certificates, notified over https
	platform.WeChat = wechat.Config{MchID: "1", AppID: "wx", SerialNo: "s", PrivateKeyFile: tight, APIv3KeyFile: tight,
		PlatformCertificates: true}
	platform.Notify.PublicURL = "https://shop.example"
	if err := platform.Validate(); err != nil {
		t.Errorf("platform-certificate merchant: %v", err)
	}
}

func TestSampleFileValidates(t *testing.T) {
	c, err := Load("", flagSet(t, "--config", "../assets/qrtill.sample.toml"), env(map[string]string{"HOME": "/h"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SSH.IdleTimeout != 30*time.Minute || !c.DemoMode() || c.Shop.Name != "qrtill demo shop" || c.Shop.TimeZone != "Asia/Shanghai" {
		t.Errorf("sample: idle %v demo %v shop %+v", c.SSH.IdleTimeout, c.DemoMode(), c.Shop)
	}
}
