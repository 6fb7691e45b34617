package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrtill/payments/sandbox"
)

// The end-to-end tests drive the built binary in tmux, as a cashier at a
// real terminal would. CI installs tmux (.ci/run); elsewhere they skip
// without it.

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing; .ci/run installs it")
		}
		t.Skip("tmux not installed")
	}
}

// buildBinary builds qrtill once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qrtill")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// term is one tmux session on a private socket.
type term struct {
	t    *testing.T
	sock string
	name string
}

func startTerm(t *testing.T, name string, env []string, args ...string) *term {
	t.Helper()
	tm := &term{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock"), name: name}
	cmdline := strings.Join(append(env, args...), " ")
	if out, err := exec.Command("tmux", "-S", tm.sock, "new-session", "-d", "-s", name, "-x", "110", "-y", "40", cmdline).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *term) screen() string {
	out, _ := exec.Command("tmux", "-S", tm.sock, "capture-pane", "-p", "-t", tm.name).Output()
	return string(out)
}

func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	args := append([]string{"-S", tm.sock, "send-keys", "-t", tm.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		tm.t.Fatalf("send-keys: %v\n%s", err, out)
	}
}

func (tm *term) waitFor(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(tm.screen(), want) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q:\n%s", want, tm.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *term) pid() int {
	out, err := exec.Command("tmux", "-S", tm.sock, "display-message", "-p", "-t", tm.name, "#{pane_pid}").Output()
	if err != nil {
		tm.t.Fatal(err)
	}
	var pid int
	fmt.Sscan(string(out), &pid)
	return pid
}

func control(t *testing.T, base, path string) []map[string]any {
	t.Helper()
	var resp *http.Response
	var err error
	if path == "" {
		resp, err = http.Get(base + "/sandbox/trades")
	} else {
		resp, err = http.Post(base+path, "", nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []map[string]any
	if path == "" {
		json.NewDecoder(resp.Body).Decode(&list)
	}
	return list
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDemoTillInTmux: `qrtill` with no config runs the demo; a sale paid
// through the sandbox control API turns the pane PAID.
func TestDemoTillInTmux(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	data := t.TempDir()
	tm := startTerm(t, "till", []string{"LANG=C.UTF-8", "TERM=xterm-256color"}, bin, "--data", data, "--lang", "en")
	tm.waitFor("Scan or type") // nothing was open: straight to the sale
	tm.keys("6921168509256", "Enter")
	tm.waitFor("Nongfu Spring")
	tm.keys("F12")
	tm.waitFor("Choose how")
	tm.keys("1")
	tm.waitFor("Waiting for scan")
	info, err := sandbox.LoadInfo(filepath.Join(data, "sandbox"))
	if err != nil {
		t.Fatal(err)
	}
	trades := control(t, info.BaseURL, "")
	if len(trades) != 1 || trades[0]["status"] != "created" || trades[0]["amount_fen"] != float64(200) {
		t.Fatalf("sandbox trades %v", trades)
	}
	no := trades[0]["out_trade_no"].(string)
	control(t, info.BaseURL, "/sandbox/trades/"+no+"/pay")
	tm.waitFor("PAID")
	tm.waitFor("Trade no.")
	// The running till holds the book; `qrtill orders`, `report` and
	// `backup` are answered by it on DATA/qrtill.sock.
	for _, args := range [][]string{
		{"orders", "--format", "json"},
		{"report", "--format", "json"},
		{"backup", "--to", filepath.Join(t.TempDir(), "copy.db")},
	} {
		out, err := exec.Command(bin, append(args, "--data", data)...).CombinedOutput()
		if err != nil || (args[0] == "orders" && !strings.Contains(string(out), `"status": "paid"`)) {
			t.Fatalf("qrtill %v while the till runs: %v\n%s", args, err, out)
		}
	}
	tm.keys("C-c")
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestCrashThenReconcile: the till is killed while a payment is open —
// a QR waiting for its scan, or a payment code whose customer is still
// entering the password — the customer pays meanwhile, and the restarted
// till settles the order as paid before the first new sale.
func TestCrashThenReconcile(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	for _, tc := range []struct {
		name, code, waiting, kind string
	}{
		{"QR", "", "Waiting for scan", "qr"},
		{"payment code", "251234567890123456", "Waiting for password", "code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, cfg := sandboxAlone(t, bin)
			tillData := t.TempDir()
			env := []string{"LANG=C.UTF-8", "TERM=xterm-256color"}
			tm := startTerm(t, "till", env, bin, "--config", cfg, "--data", tillData, "--lang", "en")
			tm.waitFor("Scan or type")
			tm.keys("6902731510015", "Enter")
			tm.waitFor("C'estbon")
			tm.keys("C-p")
			tm.waitFor("Waiting for scan") // one channel: its QR opens at once
			if tc.code != "" {
				tm.keys(tc.code, "Enter") // the customer shows a code instead, and must enter the password
			}
			tm.waitFor(tc.waiting)
			// Crash: SIGKILL, no chance to clean up.
			exec.Command("kill", "-9", fmt.Sprint(tm.pid())).Run()
			deadline := time.Now().Add(10 * time.Second)
			for strings.Contains(tm.screen(), tc.waiting) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			trades := control(t, info.BaseURL, "") // newest first
			if len(trades) == 0 || trades[0]["kind"] != tc.kind {
				t.Fatalf("trades %v", trades)
			}
			control(t, info.BaseURL, "/sandbox/trades/"+trades[0]["out_trade_no"].(string)+"/pay")

			tm2 := startTerm(t, "till2", env, bin, "--config", cfg, "--data", tillData, "--lang", "en")
			tm2.waitFor("Press Enter to continue") // something was open
			if s := tm2.screen(); !strings.Contains(s, "PAID") {
				t.Fatalf("reconcile did not report the payment:\n%s", s)
			}
			tm2.keys("C-c")
			out, errOut, code := cliWait(t, "orders", "--data", tillData, "--format", "json")
			if code != 0 || !strings.Contains(out, `"status": "paid"`) {
				t.Fatalf("orders after reconcile (exit %d): %s %s", code, out, errOut)
			}
		})
	}
}

// cliWait runs a command until the till has let go of the order book.
func cliWait(t *testing.T, args ...string) (string, string, int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, errOut, code := cli(t, args...)
		if code != 2 || !strings.Contains(errOut, "another qrtill") || time.Now().After(deadline) {
			return out, errOut, code
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sandboxAlone runs `qrtill sandbox` in its own process (so it outlives a
// killed till) and writes a till config pointing Alipay at it.
func sandboxAlone(t *testing.T, bin string) (sandbox.Info, string) {
	t.Helper()
	state, data := t.TempDir(), t.TempDir()
	addr := freePort(t)
	gw := exec.Command(bin, "sandbox", "--addr", addr, "--state", state, "--data", data)
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Process.Kill(); gw.Wait() })
	waitFile(t, filepath.Join(state, sandbox.InfoFile))
	info, err := sandbox.LoadInfo(state)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "till.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[alipay]\napp_id = %q\nseller_id = %q\napp_private_key_file = %q\nalipay_public_key_file = %q\ngateway_url = %q\n",
		info.Alipay.AppID, info.Alipay.SellerID, info.Alipay.AppPrivateKeyFile, info.Alipay.AlipayPublicKeyFile, info.Alipay.GatewayURL)), 0o600)
	return info, cfg
}

// TestCounterInTmux: the built demo till takes a customer's payment code
// and a cash sale with change.
func TestCounterInTmux(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	data := t.TempDir()
	tm := startTerm(t, "till", []string{"LANG=C.UTF-8", "TERM=xterm-256color"}, bin, "--data", data, "--lang", "en")
	tm.waitFor("Scan or type")
	tm.keys("6921168509256", "Enter")
	tm.waitFor("Nongfu Spring")
	tm.keys("F12")
	tm.waitFor("Choose how")
	tm.keys("281234567890123456", "Enter") // the customer's Alipay payment code
	tm.waitFor("PAID")
	tm.keys("6902731510015", "Enter") // the next customer's first scan starts the next sale
	tm.waitFor("C'estbon")
	tm.keys("F12")
	tm.waitFor("Choose how")
	tm.keys("3")
	tm.waitFor("Cash given")
	tm.keys("20", "Enter")
	tm.waitFor("Change  ¥18.00")
	out, err := exec.Command(bin, "orders", "--data", data, "--format", "json").Output()
	var orders []struct{ Status, Channel string }
	if err != nil || json.Unmarshal(out, &orders) != nil || len(orders) != 2 ||
		orders[0].Status != "paid" || orders[0].Channel != "alipay" || orders[1].Status != "paid" || orders[1].Channel != "cash" {
		t.Fatalf("orders %+v (%v):\n%s", orders, err, out)
	}
	tm.keys("C-c")
}
