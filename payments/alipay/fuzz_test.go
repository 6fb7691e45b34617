package alipay_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"qrtill/payments"
)

// FuzzParseNotification feeds arbitrary form bodies to ParseNotification.
// It must never panic, must fail only with a notification sentinel, and
// may accept only a body the sandbox's Alipay key really signed for this
// app and seller — checked here independently of gopay.
func FuzzParseNotification(f *testing.F) {
	r := newRig(f)
	valid := notificationBody(f, r, "Z0000001P01", 500)
	f.Add(valid)
	f.Add(strings.Replace(valid, "total_amount=5.00", "total_amount=0.01", 1))
	f.Add("sign=abc&sign_type=RSA2&app_id=" + r.info.Alipay.AppID)
	f.Add("")
	f.Add(valid + "&total_amount=0.01")
	f.Add(strings.Replace(valid, "sign_type=RSA2", "sign_type=RSA", 1))
	pub := &r.gw.Keys().AlipayPlatformKey.PublicKey
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/notify/alipay", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		n, err := r.p.ParseNotification(req)
		if err != nil {
			if !errors.Is(err, payments.ErrMalformed) && !errors.Is(err, payments.ErrBadSignature) && !errors.Is(err, payments.ErrWrongMerchant) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		form, perr := url.ParseQuery(body)
		if perr != nil {
			t.Fatalf("accepted an unparsable body: %v", perr)
		}
		var keys []string
		for k, v := range form {
			if k != "sign" && k != "sign_type" && len(v) == 1 && v[0] != "" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + form.Get(k))
		}
		sum := sha256.Sum256([]byte(b.String()))
		sig, _ := base64.StdEncoding.DecodeString(form.Get("sign"))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			t.Fatalf("accepted a notification the Alipay key did not sign: %q", body)
		}
		if form.Get("app_id") != r.info.Alipay.AppID || form.Get("seller_id") != r.info.Alipay.SellerID || n.Status.OutTradeNo != form.Get("out_trade_no") {
			t.Fatalf("accepted a notification for another merchant: %+v", n)
		}
	})
}
