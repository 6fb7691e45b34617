package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// commandFlags is the flag set a command line of cmd parses: the
// persistent flags and the command's own, as cmd/qrtill builds them.
func commandFlags(t *testing.T, cmd string, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet(cmd, pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	AddPersistentFlags(fs)
	AddFlags(fs, cmd)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%s %v: %v", cmd, args, err)
	}
	return fs
}

func flagNames(cmd string, persistent bool) []string {
	fs := pflag.NewFlagSet(cmd, pflag.ContinueOnError)
	if persistent {
		AddPersistentFlags(fs)
	}
	AddFlags(fs, cmd)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	return names
}

// Each command shows its own flags only (the four every command takes
// come on top).
func TestEachCommandItsOwnFlags(t *testing.T) {
	till := []string{"catalog", "log-file", "log-level", "notify-listen", "notify-url", "printer", "relay", "relay-till", "relay-token-file", "shop", "terminal"}
	want := map[string][]string{
		CmdTill:    till,
		CmdServe:   append([]string{"authorized-keys", "host-key", "idle-timeout", "metrics-addr", "metrics-token-file", "ssh-addr"}, till...),
		CmdSandbox: {"addr", "log-file", "log-level", "state", "time-scale"},
		CmdRelay:   {"addr", "log-file", "log-level", "metrics-addr", "metrics-token-file", "till-quota", "till-quota-mib", "tokens"},
		CmdOrders:  nil,
		CmdReport:  {"printer"},
	}
	for cmd, names := range want {
		sort.Strings(names)
		if got := flagNames(cmd, false); fmt.Sprint(got) != fmt.Sprint(names) {
			t.Errorf("%q flags = %v, want %v", cmd, got, names)
		}
	}
	if got := flagNames("version", true); fmt.Sprint(got) != "[config data demo lang]" {
		t.Errorf("every command's flags = %v", got)
	}
}

// Every setting is declared once: one entry per TOML key and per flag of
// a command, and every entry can be set from somewhere.
func TestSettingsDeclaredOnce(t *testing.T) {
	keys := map[string]bool{}
	flags := map[string]bool{}
	for _, s := range settings {
		if s.key == "" && s.flag == "" {
			t.Errorf("setting %+v has no key and no flag", s)
		}
		for _, k := range []string{s.key, s.alias} {
			if k != "" && keys[k] {
				t.Errorf("TOML key %s declared twice", k)
			}
			keys[k] = true
		}
		for _, cmd := range []string{CmdTill, CmdServe, CmdSandbox, CmdRelay, CmdOrders, CmdReport} {
			if s.flag != "" && s.on(cmd) {
				if flags[cmd+" --"+s.flag] {
					t.Errorf("%q has --%s twice", cmd, s.flag)
				}
				flags[cmd+" --"+s.flag] = true
			}
		}
		if !strings.HasPrefix(s.env(), "QRTILL_") || strings.ContainsAny(s.env(), ".-") {
			t.Errorf("%s: env %s", s.key, s.env())
		}
	}
}

// The sample file names every setting, so it stays the documentation.
func TestSampleNamesEverySetting(t *testing.T) {
	sample, err := os.ReadFile("../assets/qrtill.sample.toml")
	if err != nil {
		t.Fatal(err)
	}
	section := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(string(sample), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]") + "."
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			if k = strings.TrimSpace(k); k != "" && !strings.Contains(k, " ") {
				seen[section+k] = true
			}
		}
	}
	for _, s := range settings {
		if s.key != "" && !seen[s.key] {
			t.Errorf("assets/qrtill.sample.toml does not mention %s", s.key)
		}
	}
}

// A duration written as a bare number would be read as nanoseconds: it
// is refused with a sentence, for every duration setting.
func TestDurationsOnlyAsText(t *testing.T) {
	n := 0
	for _, s := range settings {
		if s.kind != kindDuration {
			continue
		}
		n++
		section, name, _ := strings.Cut(s.key, ".")
		file := writeFile(t, "d.toml", fmt.Sprintf("[%s]\n%s = 300\n", section, name))
		_, err := Load(CmdServe, commandFlags(t, CmdServe, "--config", file), env(nil))
		if err == nil || !strings.Contains(err.Error(), s.key+": 300 is not a duration") || !strings.Contains(err.Error(), `"5m"`) {
			t.Errorf("%s = 300: error %v", s.key, err)
		}
		file = writeFile(t, "d.toml", fmt.Sprintf("[%s]\n%s = \"5m\"\n", section, name))
		c, err := Load(CmdServe, commandFlags(t, CmdServe, "--config", file), env(nil))
		if err != nil || *s.field(&c).(*time.Duration) != 5*time.Minute {
			t.Errorf("%s = \"5m\": %v", s.key, err)
		}
		_, err = Load(CmdServe, commandFlags(t, CmdServe), env(map[string]string{s.env(): "300"}))
		if err == nil || !strings.Contains(err.Error(), s.env()+": \"300\" is not a duration") {
			t.Errorf("%s=300: error %v", s.env(), err)
		}
	}
	if n == 0 {
		t.Fatal("no duration setting to check")
	}
}

func TestShopSection(t *testing.T) {
	old := writeFile(t, "old.toml", "shop = \"Corner shop\"\n")
	c, err := Load(CmdTill, commandFlags(t, CmdTill, "--config", old), env(nil))
	if err != nil || c.Shop.Name != "Corner shop" || c.Shop.TimeZone != "Asia/Shanghai" {
		t.Fatalf("shop = \"…\": %+v %v", c.Shop, err)
	}
	table := writeFile(t, "new.toml", "[shop]\nname = \"Eck\"\ntime_zone = \"Europe/Berlin\"\n")
	c, err = Load(CmdTill, commandFlags(t, CmdTill, "--config", table), env(nil))
	if err != nil || c.Shop.Name != "Eck" || c.Location().String() != "Europe/Berlin" || c.Validate() != nil {
		t.Fatalf("[shop]: %+v %v", c.Shop, err)
	}
	c, _ = Load(CmdTill, commandFlags(t, CmdTill, "--shop", "Flag shop"), env(map[string]string{"QRTILL_SHOP_TIME_ZONE": "Mars/Olympus"}))
	if err := c.Validate(); c.Shop.Name != "Flag shop" || err == nil || !strings.Contains(err.Error(), `shop.time_zone: "Mars/Olympus" is not a time zone`) {
		t.Fatalf("bad zone: %+v %v", c.Shop, err)
	}
}

func TestFileOnlySettingsFromTheEnvironment(t *testing.T) {
	c, err := Load(CmdOrders, commandFlags(t, CmdOrders), env(map[string]string{"QRTILL_ALIPAY_APP_ID": "2021", "QRTILL_WECHAT_MCH_ID": "1900"}))
	if err != nil || c.Alipay.AppID != "2021" || c.WeChat.MchID != "1900" {
		t.Fatalf("env: alipay %q wechat %q %v", c.Alipay.AppID, c.WeChat.MchID, err)
	}
	// A flag's variable counts only for the commands that take the flag.
	c, _ = Load(CmdOrders, commandFlags(t, CmdOrders), env(map[string]string{"QRTILL_ADDR": "1.2.3.4:5"}))
	if c.Relay.Addr != "127.0.0.1:8780" || c.Sandbox.Addr != "127.0.0.1:8700" {
		t.Fatalf("QRTILL_ADDR reached orders: %+v %+v", c.Relay, c.Sandbox)
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		cmd  string
		args []string
		file string
		want string
	}{
		{CmdSandbox, []string{"--addr", "nonsense"}, "", `sandbox.addr: "nonsense" is not HOST:PORT`},
		{CmdRelay, []string{"--addr", "host:port"}, "", `relay.addr: "host:port" is not HOST:PORT`},
		{CmdTill, []string{"--notify-url", "shop.example"}, "", `notify.public_url: "shop.example" is not an http(s) URL`},
		{CmdTill, []string{"--log-level", "loud"}, "", `log_level: "loud" is not a level`},
		{CmdSandbox, nil, "[sandbox]\ntime_scale = \"fast\"\n", `sandbox.time_scale: fast is not a number`},
		{CmdTill, nil, "demo = 1\n", `demo: 1 is not true or false`},
		{CmdTill, nil, "lang = 2\n", `lang: 2 is not text`},
		{CmdRelay, []string{"--till-quota", "-1"}, "", `till-quota: "-1" is not a whole number`},
		{CmdRelay, nil, "[relay]\ntill_quota = 2.5\n", `relay.till_quota: 2.5 is not a whole number`},
		{CmdRelay, nil, "[relay]\ntill_quota_mib = \"lots\"\n", `relay.till_quota_mib: lots is not a whole number`},
	}
	for _, tt := range tests {
		args := tt.args
		if tt.file != "" {
			args = append(args, "--config", writeFile(t, "bad.toml", tt.file))
		}
		c, err := Load(tt.cmd, commandFlags(t, tt.cmd, args...), env(map[string]string{"HOME": "/h"}))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q %v %q: error %v, want one line with %q", tt.cmd, tt.args, tt.file, err, tt.want)
		}
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, []byte("x"), 0o600)
	if err := CheckDir("data", filepath.Join(dir, "new", "deeper")); err != nil {
		t.Errorf("a dir to make: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("CheckDir wrote something")
	}
	err := CheckDir("data", filepath.Join(blocker, "data"))
	if err == nil || !strings.Contains(err.Error(), blocker+" is not a directory; pass --data DIR") {
		t.Errorf("below a file: %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		if err := CheckDir("data", filepath.Join(ro, "data")); err == nil || !strings.Contains(err.Error(), "cannot write to "+ro) {
			t.Errorf("read-only dir: %v", err)
		}
	}
}

// A whole-number setting reads from the file, the environment and a flag.
func TestCountSettings(t *testing.T) {
	file := writeFile(t, "q.toml", "[relay]\ntill_quota = 500\ntill_quota_mib = 4\n")
	c, err := Load(CmdRelay, commandFlags(t, CmdRelay, "--config", file), env(map[string]string{"HOME": "/h"}))
	if err != nil || c.Relay.TillQuota != 500 || c.Relay.TillQuotaMiB != 4 {
		t.Fatalf("from the file: %+v, %v", c.Relay, err)
	}
	c, err = Load(CmdRelay, commandFlags(t, CmdRelay, "--config", file, "--till-quota", "7"),
		env(map[string]string{"HOME": "/h", "QRTILL_TILL_QUOTA_MIB": "9"}))
	if err != nil || c.Relay.TillQuota != 7 || c.Relay.TillQuotaMiB != 9 {
		t.Fatalf("flag and environment over the file: %+v, %v", c.Relay, err)
	}
}

// --demo over live credentials is refused: a demo would run on pretend
// money in the live till's data dir.
func TestDemoOverLiveCredentialsRefused(t *testing.T) {
	file := writeFile(t, "live.toml", "[alipay]\napp_id = \"2021\"\nseller_id = \"2088\"\n")
	c, err := Load(CmdTill, commandFlags(t, CmdTill, "--config", file, "--demo"), env(map[string]string{"HOME": "/h"}))
	if err == nil {
		err = c.Validate()
	}
	if err == nil || !strings.Contains(err.Error(), "demo: this configuration has live") {
		t.Fatalf("--demo over live credentials: %v", err)
	}
}
