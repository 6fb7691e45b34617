package wechat

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// FuzzParseNotification feeds arbitrary bodies and signature headers to
// ParseNotification. It must never panic, must fail only with one of the
// notification sentinels, and may accept only what the test platform key
// really signed for this merchant — checked here independently of gopay.
func FuzzParseNotification(f *testing.F) {
	p := kitProvider(f)
	pub := platformPub(f)
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, serial, sig string) {
		r := httptest.NewRequest(http.MethodPost, "/notify/wechat", strings.NewReader(string(body)))
		r.Header.Set("Wechatpay-Timestamp", ts)
		r.Header.Set("Wechatpay-Nonce", nonce)
		r.Header.Set("Wechatpay-Serial", serial)
		r.Header.Set("Wechatpay-Signature", sig)
		n, err := p.ParseNotification(r)
		w := httptest.NewRecorder()
		p.Acknowledge(w, err)
		if err != nil {
			if !errors.Is(err, payments.ErrMalformed) && !errors.Is(err, payments.ErrBadSignature) && !errors.Is(err, payments.ErrWrongMerchant) {
				t.Fatalf("unexpected error class: %v", err)
			}
			if w.Code != http.StatusBadRequest {
				t.Fatalf("refusal acknowledged with %d", w.Code)
			}
			return
		}
		// Accepted: it must be genuinely signed and for this merchant.
		if serial != kitPubKeyID || strings.HasPrefix(sig, signTestPrefix) {
			t.Fatalf("accepted serial %q / signature %q", serial, sig)
		}
		sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
		raw, _ := base64.StdEncoding.DecodeString(sig)
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], raw) != nil {
			t.Fatalf("accepted a notification the platform key did not sign")
		}
		var env wxv3.V3NotifyReq
		if json.Unmarshal(body, &env) != nil || env.Resource == nil || env.Id == "" || env.Id != n.ID {
			t.Fatalf("accepted an envelope that does not parse: %+v", n)
		}
		var res struct{ Mchid, Appid string }
		if err := wxv3.V3DecryptNotifyCipherTextToStruct(env.Resource.Ciphertext, env.Resource.Nonce, env.Resource.AssociatedData, kitAPIv3Key, &res); err != nil {
			t.Fatalf("accepted a resource that does not decrypt: %v", err)
		}
		if res.Mchid != kitMchID || (env.EventType == eventTransaction && res.Appid != kitAppID) {
			t.Fatalf("accepted a notification for %s/%s", res.Mchid, res.Appid)
		}
		if w.Code != http.StatusNoContent {
			t.Fatalf("acceptance acknowledged with %d", w.Code)
		}
	})
}

// TestWriteFuzzSeeds regenerates the seed corpus in
// testdata/fuzz/FuzzParseNotification. It runs only with
// QRTILL_WRITE_FUZZ_SEEDS=1; signatures are deterministic (PKCS#1 v1.5)
// and nonces fixed, so the output is stable.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("QRTILL_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set QRTILL_WRITE_FUZZ_SEEDS=1 to rewrite the seed corpus")
	}
	key := platformKey(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzParseNotification")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, h http.Header, body []byte) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		fmt.Fprintf(&b, "[]byte(%q)\n", body)
		for _, k := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature"} {
			fmt.Fprintf(&b, "string(%q)\n", h.Get(k))
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	valid := notice{ID: "EV-seed-valid", Resource: payResource("QT20250102000042", 1250, 1150)}
	h, body := valid.encode(t, key)
	write("valid", h, body)

	probe := h.Clone()
	probe.Set("Wechatpay-Signature", signTestPrefix+h.Get("Wechatpay-Signature"))
	write("signtest_probe", probe, body)

	other := payResource("QT20250102000042", 1250, 1150)
	other["mchid"] = "1900000999"
	h2, body2 := notice{ID: "EV-seed-merchant", Resource: other}.encode(t, key)
	write("wrong_merchant", h2, body2)

	h3, body3 := notice{ID: "EV-seed-nonce", Resource: payResource("QT20250102000042", 1250, 1150), Nonce: "sixteenbytenonce"}.encode(t, key)
	write("nonce_16_bytes", h3, body3)

	refund := map[string]any{"mchid": kitMchID, "out_trade_no": "QT20250102000042", "transaction_id": "4200000000202501021234567890",
		"out_refund_no": "R1", "refund_id": "5000", "refund_status": "SUCCESS",
		"amount": map[string]any{"total": 1250, "refund": 250, "payer_total": 1250, "payer_refund": 250}}
	h4, body4 := notice{ID: "EV-seed-refund", Event: "REFUND.SUCCESS", Resource: refund, AAD: "refund"}.encode(t, key)
	write("refund_success", h4, body4)

	write("empty", http.Header{}, nil)
	write("garbage", h, []byte(`{"id":1,"resource":[]}`))
}

// TestFuzzSeedsStillMeanWhatTheySay keeps the corpus honest: the "valid"
// seed must be accepted (so the fuzzer explores the acceptance path) and
// the others refused.
func TestFuzzSeedsStillMeanWhatTheySay(t *testing.T) {
	p := kitProvider(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzParseNotification")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("seed corpus: %v", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 6 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a 5-argument go test fuzz v1 file", e.Name())
		}
		var args []string
		for _, l := range lines[1:] {
			l = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(l, "[]byte("), "string("), ")")
			s, err := strconv.Unquote(l)
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			args = append(args, s)
		}
		r := httptest.NewRequest(http.MethodPost, "/notify/wechat", strings.NewReader(args[0]))
		for i, k := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature"} {
			r.Header.Set(k, args[i+1])
		}
		_, err = p.ParseNotification(r)
		accepted := err == nil
		if want := e.Name() == "valid" || e.Name() == "refund_success"; accepted != want {
			t.Errorf("seed %s: accepted=%v (err %v), want %v", e.Name(), accepted, err, want)
		}
	}
}
