package alipay_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
)

func TestForgedRequestRefused(t *testing.T) {
	r := newRig(t)
	cfg := config(r.info)
	cfg.AppPrivateKeyFile = writeKey(t) // not the key the sandbox knows for this app
	forger := newProvider(t, cfg)
	_, err := forger.CreateQR(ctx, payments.QRRequest{OutTradeNo: "F0000001P01", AmountFen: 100, Subject: "x"})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "40002 isv.invalid-signature") {
		t.Fatalf("forged request: %v", err)
	}
	if _, err := r.gw.Ledger().Get("F0000001P01"); err == nil {
		t.Fatal("the sandbox acted on a forged request")
	}
	// Another app id is refused too.
	cfg = config(r.info)
	cfg.AppID = "2021000000000001"
	other := newProvider(t, cfg)
	if _, err := other.Query(ctx, "F0000001P01"); !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "isv.invalid-app-id") {
		t.Fatalf("unknown app: %v", err)
	}
}

func TestTamperedAnswerDetected(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000031P01", 500, "")
	qr(t, r.p, "A0000032P01", 500, "")
	r.control(t, "A0000031P01", "scan")
	cfg := config(r.info)
	// A success answer edited on the way: WAIT_BUYER_PAY made TRADE_SUCCESS.
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"WAIT_BUYER_PAY"`), []byte(`"TRADE_SUCCESS"`), 1)
	})
	p := newProvider(t, cfg)
	if _, err := p.Query(ctx, "A0000031P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered success answer: %v", err)
	}
	// An error answer edited on the way (gopay does not check those).
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"sub_msg":"交易不存在"`), []byte(`"sub_msg":"交易不存在!"`), 1)
	})
	p = newProvider(t, cfg)
	if _, err := p.Query(ctx, "A0000032P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered error answer: %v", err)
	}
	// A genuinely signed answer about another trade, replayed.
	var saved atomic.Pointer[[]byte]
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte { saved.Store(&b); return b })
	if _, err := newProvider(t, cfg).Query(ctx, "A0000031P01"); err != nil {
		t.Fatalf("through a faithful proxy: %v", err)
	}
	r.control(t, "A0000032P01", "scan")
	cfg.GatewayURL = r.proxy(t, func([]byte) []byte { return *saved.Load() })
	p = newProvider(t, cfg)
	if _, err := p.Query(ctx, "A0000032P01"); !errors.Is(err, payments.ErrMalformed) {
		t.Fatalf("replayed answer for another trade: %v", err)
	}
	// A pretty-printed answer cannot be cut as gopay cuts it.
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte { return bytes.Replace(b, []byte(`,"sign":`), []byte(`, "sign":`), 1) })
	p = newProvider(t, cfg)
	if _, err := p.Query(ctx, "A0000031P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("reformatted answer: %v", err)
	}
	// Garbage is malformed.
	cfg.GatewayURL = r.proxy(t, func([]byte) []byte { return []byte(`<html>proxy error</html>`) })
	p = newProvider(t, cfg)
	if _, err := p.Query(ctx, "A0000031P01"); !errors.Is(err, payments.ErrMalformed) {
		t.Fatalf("garbage answer: %v", err)
	}
}

func TestUnsignedErrorAnswerPasses(t *testing.T) {
	// Alipay may not sign every gateway error, so an error answer without
	// a signature is taken as it is; with one, it must verify (above).
	r := newRig(t)
	qr(t, r.p, "A0000033P01", 500, "")
	strip := regexp.MustCompile(`,"sign":"[^"]*"`)
	cfg := config(r.info)
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte { return strip.ReplaceAll(b, nil) })
	if st := query(t, newProvider(t, cfg), "A0000033P01"); st.State != payments.StateNotFound {
		t.Fatalf("unsigned ACQ.TRADE_NOT_EXIST: %+v", st)
	}
	// A success answer without a signature never passes.
	r.control(t, "A0000033P01", "scan")
	if _, err := newProvider(t, cfg).Query(ctx, "A0000033P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("unsigned success answer: %v", err)
	}
}

func TestOutages(t *testing.T) {
	r := newRig(t)
	r.gw.SetFaults(sandbox.Faults{FailNext: 1})
	if _, err := r.p.Query(ctx, "A0000034P01"); !errors.Is(err, payments.ErrUnavailable) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: %v", err)
	}
	cfg := config(r.info)
	cfg.HTTPTimeout = 200 * time.Millisecond
	p := newProvider(t, cfg)
	r.gw.SetFaults(sandbox.Faults{TimeoutNext: 1})
	if _, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "A0000034P01", AmountFen: 1, Subject: "x"}); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("timeout: %v", err)
	}
	cfg.GatewayURL = "http://127.0.0.1:1/gateway.do" // nobody listens
	if _, err := newProvider(t, cfg).Query(ctx, "A0000034P01"); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("connection refused: %v", err)
	}
	// Once the fault is over, calls work again.
	if st := query(t, r.p, "A0000034P01"); st.State != payments.StateNotFound && st.State != payments.StateScanned {
		t.Fatalf("after the outage: %+v", st)
	}
}

func TestKeyFiles(t *testing.T) {
	r := newRig(t)
	for _, key := range []string{r.info.Alipay.AppPrivateKeyFile, r.info.Alipay.AlipayPublicKeyFile} {
		if err := os.Chmod(key, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := alipay.New(config(r.info))
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+key) {
			t.Fatalf("loose key file %s: %v", filepath.Base(key), err)
		}
		if err := os.Chmod(key, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for name, mutate := range map[string]func(*alipay.Config){
		"private key not PEM": func(c *alipay.Config) { c.AppPrivateKeyFile = write("a.pem", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC") },
		"public key as private key": func(c *alipay.Config) {
			c.AppPrivateKeyFile = c.AlipayPublicKeyFile
		},
		"private key as public key": func(c *alipay.Config) { c.AlipayPublicKeyFile = c.AppPrivateKeyFile },
		"missing file":              func(c *alipay.Config) { c.AlipayPublicKeyFile = filepath.Join(dir, "nope.pem") },
		"one certificate only":      func(c *alipay.Config) { c.AppCertFile = r.info.Alipay.AppCertFile },
	} {
		cfg := config(r.info)
		mutate(&cfg)
		if _, err := alipay.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "PRIVATE KEY-----") || strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: the error shows key material: %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	good := alipay.Config{AppID: "2021", SellerID: "2088", AppPrivateKeyFile: "k", AlipayPublicKeyFile: "p"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for want, mutate := range map[string]func(*alipay.Config){
		"AppID":               func(c *alipay.Config) { c.AppID = "" },
		"SellerID":            func(c *alipay.Config) { c.SellerID = "" },
		"AppPrivateKeyFile":   func(c *alipay.Config) { c.AppPrivateKeyFile = "" },
		"AlipayPublicKeyFile": func(c *alipay.Config) { c.AlipayPublicKeyFile = "" },
		"AlipayRootCertFile":  func(c *alipay.Config) { c.AppCertFile, c.AlipayCertFile = "a", "c" },
		"GatewayURL":          func(c *alipay.Config) { c.GatewayURL = "127.0.0.1:8700" },
		"NotifyURL":           func(c *alipay.Config) { c.NotifyURL = "https://pos.example/notify?till=1" },
		"QRTimeout":           func(c *alipay.Config) { c.QRTimeout = 90 * time.Second },
		"HTTPTimeout":         func(c *alipay.Config) { c.HTTPTimeout = -time.Second },
	} {
		c := good
		mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}
