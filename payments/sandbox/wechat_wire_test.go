package sandbox

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

// wxHarness is a gateway with the WeChat wire on a loopback server and a
// hand-rolled v3 client: raw requests, raw answers.
type wxHarness struct {
	g    *Gateway
	srv  *httptest.Server
	wire Wire
	keys *Keys
}

func newWxHarness(t *testing.T) *wxHarness {
	t.Helper()
	g, err := New(Config{Keys: sharedKeys(t), TimeScale: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	g.cfg.BaseURL = srv.URL
	t.Cleanup(func() { srv.Close(); g.Close() })
	return &wxHarness{g: g, srv: srv, wire: g.wire(payments.WeChat), keys: g.Keys()}
}

// wxAnswer is a raw answer.
type wxAnswer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the answer body into a map.
func (a wxAnswer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %q", a.status, a.body)
	}
	return m
}

// signAuth builds an Authorization header as gopay does.
func (h *wxHarness) signAuth(t *testing.T, key *rsa.PrivateKey, method, uri string, ts int64, body string) string {
	t.Helper()
	nonce := "NONCE" + strconv.FormatInt(ts, 10)
	msg := method + "\n" + uri + "\n" + strconv.FormatInt(ts, 10) + "\n" + nonce + "\n" + body + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return `WECHATPAY2-SHA256-RSA2048 mchid="` + h.keys.WeChatMchID + `",nonce_str="` + nonce + `",timestamp="` +
		strconv.FormatInt(ts, 10) + `",serial_no="` + h.keys.WeChatSerialNo + `",signature="` + base64.StdEncoding.EncodeToString(sig) + `"`
}

// do sends a request signed by the merchant key (auth "" = sign it).
func (h *wxHarness) do(t *testing.T, method, uri, body, auth string) wxAnswer {
	t.Helper()
	if auth == "" {
		auth = h.signAuth(t, h.keys.WeChatMerchantKey, method, uri, time.Now().Unix(), body)
	}
	req, err := http.NewRequest(method, h.srv.URL+uri, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return wxAnswer{status: res.StatusCode, header: res.Header, body: b}
}

// verified checks a 2xx answer's signature with the platform key.
func (h *wxHarness) verified(t *testing.T, a wxAnswer) {
	t.Helper()
	hd := a.header
	if hd.Get("Wechatpay-Serial") != h.keys.WeChatPublicKeyID || hd.Get("Request-ID") == "" || hd.Get("Content-Type") != "application/json" {
		t.Fatalf("signed answer headers: %v", hd)
	}
	msg := hd.Get("Wechatpay-Timestamp") + "\n" + hd.Get("Wechatpay-Nonce") + "\n" + string(a.body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, _ := base64.StdEncoding.DecodeString(hd.Get("Wechatpay-Signature"))
	if err := rsa.VerifyPKCS1v15(&h.keys.WeChatPlatformKey.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("answer %d not signed by the platform key: %v", a.status, err)
	}
}

// wantError checks an unsigned error answer.
func wantError(t *testing.T, a wxAnswer, status int, code string) map[string]any {
	t.Helper()
	m := a.json(t)
	if a.status != status || m["code"] != code || m["message"] == "" || a.header.Get("Wechatpay-Signature") != "" {
		t.Fatalf("got %d %s, want %d %s unsigned", a.status, a.body, status, code)
	}
	return m
}

const wxNativeBody = `{"amount":{"currency":"CNY","total":1250},"appid":"%APPID%","description":"Shop \u003c1\u003e","mchid":"%MCHID%","notify_url":"http://127.0.0.1:9/notify/wechat","out_trade_no":"%NO%"}`

func (h *wxHarness) nativeBody(no string) string {
	return strings.NewReplacer("%APPID%", h.keys.WeChatAppID, "%MCHID%", h.keys.WeChatMchID, "%NO%", no).Replace(wxNativeBody)
}

func TestWeChatWireRequestAuth(t *testing.T) {
	h := newWxHarness(t)
	uri := "/v3/pay/transactions/out-trade-no/QT20250102000001?mchid=" + h.keys.WeChatMchID
	now := time.Now().Unix()
	cases := map[string]string{
		"missing":         "",
		"other scheme":    "Bearer x",
		"stale timestamp": h.signAuth(t, h.keys.WeChatMerchantKey, "GET", uri, now-6*60, ""),
		"future":          h.signAuth(t, h.keys.WeChatMerchantKey, "GET", uri, now+6*60, ""),
		"path only":       h.signAuth(t, h.keys.WeChatMerchantKey, "GET", "/v3/pay/transactions/out-trade-no/QT20250102000001", now, ""),
		"wrong method":    h.signAuth(t, h.keys.WeChatMerchantKey, "POST", uri, now, ""),
		"platform key":    h.signAuth(t, h.keys.WeChatPlatformKey, "GET", uri, now, ""),
		"other serial": strings.Replace(h.signAuth(t, h.keys.WeChatMerchantKey, "GET", uri, now, ""),
			h.keys.WeChatSerialNo, "0000000000000000000000000000000000000000", 1),
		"other mchid": strings.Replace(h.signAuth(t, h.keys.WeChatMerchantKey, "GET", uri, now, ""),
			`mchid="`+h.keys.WeChatMchID, `mchid="1900000999`, 1),
	}
	for name, auth := range cases {
		if auth == "" {
			auth = "-"
		}
		a := h.do(t, "GET", uri, "", auth)
		if a.status != http.StatusUnauthorized || a.json(t)["code"] != "SIGN_ERROR" {
			t.Errorf("%s: %d %s", name, a.status, a.body)
		}
	}
	// Within the window, over the raw body bytes (unsorted, spaced JSON).
	body := ` { "out_trade_no" : "QT20250102000002", "mchid":"` + h.keys.WeChatMchID + `", "appid":"` + h.keys.WeChatAppID +
		`", "description":"d", "notify_url":"http://127.0.0.1:9/n", "amount":{"total":1} }`
	a := h.do(t, "POST", "/v3/pay/transactions/native", body, h.signAuth(t, h.keys.WeChatMerchantKey, "POST", "/v3/pay/transactions/native", now-4*60, body))
	if a.status != http.StatusOK {
		t.Fatalf("raw-body request: %d %s", a.status, a.body)
	}
	// A body changed after signing is refused.
	auth := h.signAuth(t, h.keys.WeChatMerchantKey, "POST", "/v3/pay/transactions/native", now, body)
	a = h.do(t, "POST", "/v3/pay/transactions/native", strings.Replace(body, `"total":1`, `"total":2`, 1), auth)
	wantError(t, a, http.StatusUnauthorized, "SIGN_ERROR")
}

func TestWeChatWireNativeAndQuery(t *testing.T) {
	h := newWxHarness(t)
	const no = "QT20250102000003"
	a := h.do(t, "POST", "/v3/pay/transactions/native", h.nativeBody(no), "")
	if a.status != http.StatusOK || a.json(t)["code_url"] != h.g.QRContent(no) {
		t.Fatalf("native: %d %s", a.status, a.body)
	}
	h.verified(t, a)
	if tr, err := h.g.Ledger().Get(no); err != nil || tr.Subject != "Shop <1>" || tr.Kind != KindQR || tr.Channel != payments.WeChat {
		t.Fatalf("ledger: %+v %v", tr, err)
	}
	again := h.do(t, "POST", "/v3/pay/transactions/native", h.nativeBody(no), "")
	if again.status != http.StatusOK || string(again.body) != string(a.body) {
		t.Fatalf("same order again: %d %s", again.status, again.body)
	}
	changed := strings.Replace(h.nativeBody(no), `"total":1250`, `"total":1251`, 1)
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/native", changed, ""), http.StatusBadRequest, "INVALID_REQUEST")

	q := "/v3/pay/transactions/out-trade-no/" + no + "?mchid=" + h.keys.WeChatMchID
	a = h.do(t, "GET", q, "", "")
	h.verified(t, a)
	m := a.json(t)
	if m["trade_state"] != "NOTPAY" || m["trade_type"] != "NATIVE" || m["appid"] != h.keys.WeChatAppID || m["mchid"] != h.keys.WeChatMchID {
		t.Fatalf("NOTPAY query: %s", a.body)
	}
	if _, err := h.g.Ledger().Pay(no); err != nil {
		t.Fatal(err)
	}
	a = h.do(t, "GET", q, "", "")
	h.verified(t, a)
	m = a.json(t)
	for _, f := range []string{"appid", "mchid", "out_trade_no", "transaction_id", "trade_type", "trade_state", "trade_state_desc", "bank_type", "success_time", "payer", "amount"} {
		if _, ok := m[f]; !ok {
			t.Errorf("SUCCESS query lacks %s: %s", f, a.body)
		}
	}
	amt := m["amount"].(map[string]any)
	if m["trade_state"] != "SUCCESS" || amt["total"] != 1250.0 || amt["payer_total"] != 1250.0 || amt["currency"] != "CNY" || amt["payer_currency"] != "CNY" {
		t.Fatalf("SUCCESS query: %s", a.body)
	}
	if _, err := time.Parse(time.RFC3339, m["success_time"].(string)); err != nil || !strings.HasSuffix(m["success_time"].(string), "+08:00") {
		t.Fatalf("success_time %v", m["success_time"])
	}
	if m["payer"].(map[string]any)["openid"] == "" {
		t.Fatalf("payer: %s", a.body)
	}
	byID := h.do(t, "GET", "/v3/pay/transactions/id/"+m["transaction_id"].(string)+"?mchid="+h.keys.WeChatMchID, "", "")
	if byID.status != http.StatusOK || byID.json(t)["out_trade_no"] != no {
		t.Fatalf("query by id: %d %s", byID.status, byID.body)
	}
	wantError(t, h.do(t, "GET", "/v3/pay/transactions/out-trade-no/QT20250102999999?mchid="+h.keys.WeChatMchID, "", ""), http.StatusNotFound, "ORDER_NOT_EXIST")
	wantError(t, h.do(t, "GET", "/v3/pay/transactions/id/4200000000000000000000000000?mchid="+h.keys.WeChatMchID, "", ""), http.StatusNotFound, "ORDER_NOT_EXIST")
	wantError(t, h.do(t, "GET", "/v3/pay/transactions/out-trade-no/"+no, "", ""), http.StatusBadRequest, "PARAM_ERROR")
}

func TestWeChatWireNativeValidation(t *testing.T) {
	h := newWxHarness(t)
	base := h.nativeBody("QT20250102000004")
	cases := []struct{ old, new, code, field string }{
		{`"notify_url":"http://127.0.0.1:9/notify/wechat",`, ``, "PARAM_ERROR", "/notify_url"},
		{`http://127.0.0.1:9/notify/wechat`, `http://127.0.0.1:9/notify/wechat?x=1`, "PARAM_ERROR", "/notify_url"},
		{`"total":1250`, `"total":"1250"`, "PARAM_ERROR", "/amount/total"},
		{`"total":1250`, `"total":12.5`, "PARAM_ERROR", "/amount/total"},
		{`"total":1250`, `"total":0`, "PARAM_ERROR", "/amount/total"},
		{`"currency":"CNY"`, `"currency":"USD"`, "PARAM_ERROR", "/amount/currency"},
		{`"description":"Shop \u003c1\u003e",`, ``, "PARAM_ERROR", "/description"},
		{`"QT20250102000004"`, `"QT1"`, "PARAM_ERROR", "/out_trade_no"},
		{`"appid":"` + h.keys.WeChatAppID, `"appid":"wx0000000000000000`, "APPID_MCHID_NOT_MATCH", ""},
		{`"mchid":"` + h.keys.WeChatMchID, `"mchid":"1900000999`, "INVALID_REQUEST", ""},
	}
	for _, tc := range cases {
		body := strings.Replace(base, tc.old, tc.new, 1)
		if body == base {
			t.Fatalf("case %q does not change the body", tc.old)
		}
		m := wantError(t, h.do(t, "POST", "/v3/pay/transactions/native", body, ""), http.StatusBadRequest, tc.code)
		if tc.field != "" {
			if d, _ := m["detail"].(map[string]any); d == nil || d["field"] != tc.field {
				t.Errorf("%s: detail %v, want field %s", tc.code, m["detail"], tc.field)
			}
		}
	}
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/native", "{", ""), http.StatusBadRequest, "PARAM_ERROR")
	if n := len(h.g.Ledger().List()); n != 0 {
		t.Fatalf("invalid orders reached the ledger: %d", n)
	}
}

func TestWeChatWireClose(t *testing.T) {
	h := newWxHarness(t)
	body := `{"mchid":"` + h.keys.WeChatMchID + `"}`
	for _, no := range []string{"QT20250102000005", "QT20250102000006"} {
		if a := h.do(t, "POST", "/v3/pay/transactions/native", h.nativeBody(no), ""); a.status != http.StatusOK {
			t.Fatal(a.status)
		}
	}
	a := h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000005/close", body, "")
	if a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Fatalf("close: %d %q", a.status, a.body)
	}
	h.verified(t, a) // signed over "ts\nnonce\n\n"
	if tr, _ := h.g.Ledger().Get("QT20250102000005"); tr.Status != StatusClosed {
		t.Fatalf("ledger after close: %+v", tr)
	}
	if a := h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000005/close", body, ""); a.status != http.StatusNoContent {
		t.Fatalf("close twice: %d", a.status)
	}
	if _, err := h.g.Ledger().Pay("QT20250102000006"); err != nil {
		t.Fatal(err)
	}
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000006/close", body, ""), http.StatusBadRequest, "ORDERPAID")
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000007/close", body, ""), http.StatusNotFound, "ORDER_NOT_EXIST")
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000005/close", `{}`, ""), http.StatusBadRequest, "PARAM_ERROR")
}

func TestWeChatWireRefund(t *testing.T) {
	h := newWxHarness(t)
	const no = "QT20250102000008"
	h.do(t, "POST", "/v3/pay/transactions/native", h.nativeBody(no), "")
	refund := func(rno string, fen, total int) wxAnswer {
		return h.do(t, "POST", "/v3/refund/domestic/refunds",
			`{"amount":{"currency":"CNY","refund":`+strconv.Itoa(fen)+`,"total":`+strconv.Itoa(total)+`},"out_refund_no":"`+rno+`","out_trade_no":"`+no+`"}`, "")
	}
	wantError(t, refund("R1", 100, 1250), http.StatusBadRequest, "INVALID_REQUEST") // not paid
	if _, err := h.g.Ledger().Pay(no); err != nil {
		t.Fatal(err)
	}
	a := refund("R1", 100, 1250)
	h.verified(t, a)
	m := a.json(t)
	if m["status"] != "SUCCESS" || m["out_refund_no"] != "R1" || m["refund_id"] == "" || m["amount"].(map[string]any)["refund"] != 100.0 {
		t.Fatalf("refund: %s", a.body)
	}
	if m := refund("R1", 100, 1250).json(t); m["status"] != "SUCCESS" || m["refund_id"] != a.json(t)["refund_id"] {
		t.Fatalf("idempotent refund: %v", m)
	}
	wantError(t, refund("R1", 101, 1250), http.StatusBadRequest, "INVALID_REQUEST") // same number, other amount
	wantError(t, refund("R2", 1151, 1250), http.StatusBadRequest, "INVALID_REQUEST")
	wantError(t, refund("R3", 1, 1000), http.StatusBadRequest, "INVALID_REQUEST")
	q := h.do(t, "GET", "/v3/refund/domestic/refunds/R1", "", "")
	h.verified(t, q)
	if q.json(t)["status"] != "SUCCESS" || q.json(t)["out_trade_no"] != no {
		t.Fatalf("refund query: %s", q.body)
	}
	wantError(t, h.do(t, "GET", "/v3/refund/domestic/refunds/R9", "", ""), http.StatusNotFound, "RESOURCE_NOT_EXISTS")
	if tr, _ := h.g.Ledger().Get(no); tr.RefundedFen != 100 {
		t.Fatalf("ledger refunded %d", tr.RefundedFen)
	}
}

func TestWeChatWireCodepayRules(t *testing.T) {
	h := newWxHarness(t)
	pay := func(no, code string) wxAnswer {
		return h.do(t, "POST", "/v3/pay/transactions/codepay", `{"amount":{"currency":"CNY","total":300},"appid":"`+h.keys.WeChatAppID+
			`","description":"d","mchid":"`+h.keys.WeChatMchID+`","out_trade_no":"`+no+`","payer":{"auth_code":"`+code+`"}}`, "")
	}
	a := pay("QT20250102000009", "134567890123456789")
	h.verified(t, a)
	if m := a.json(t); a.status != http.StatusOK || m["trade_state"] != "SUCCESS" || m["trade_type"] != "MICROPAY" {
		t.Fatalf("13: %d %s", a.status, a.body)
	}
	a = pay("QT20250102000010", "144567890123456789")
	if a.status != http.StatusAccepted || a.json(t)["code"] != "USERPAYING" {
		t.Fatalf("14: %d %s", a.status, a.body)
	}
	h.verified(t, a)
	wantError(t, pay("QT20250102000011", "104567890123456789"), http.StatusBadRequest, "AUTH_CODE_INVALID")
	wantError(t, pay("QT20250102000012", "1345678901234567"), http.StatusBadRequest, "AUTH_CODE_INVALID")
	wantError(t, pay("QT20250102000013", "114567890123456789"), http.StatusForbidden, "NOT_ENOUGH")
	wantError(t, pay("QT20250102000014", "124567890123456789"), http.StatusInternalServerError, "SYSTEM_ERROR")
	if tr, err := h.g.Ledger().Get("QT20250102000014"); err != nil || tr.Status != StatusPaid {
		t.Fatalf("12 must pay behind the error: %+v %v", tr, err)
	}
	for _, no := range []string{"QT20250102000011", "QT20250102000013"} {
		if _, err := h.g.Ledger().Get(no); err == nil {
			t.Fatalf("%s: refused code made a trade", no)
		}
	}
	rev := `{"appid":"` + h.keys.WeChatAppID + `","mchid":"` + h.keys.WeChatMchID + `"}`
	a = h.do(t, "POST", "/v3/pay/transactions/out-trade-no/QT20250102000010/reverse", rev, "")
	h.verified(t, a)
	if a.status != http.StatusOK || a.json(t)["out_trade_no"] != "QT20250102000010" {
		t.Fatalf("reverse: %d %s", a.status, a.body)
	}
	q := h.do(t, "GET", "/v3/pay/transactions/out-trade-no/QT20250102000010?mchid="+h.keys.WeChatMchID, "", "")
	if q.json(t)["trade_state"] != "REVOKED" {
		t.Fatalf("after reverse: %s", q.body)
	}
	for code, want := range map[string]codepayRule{
		"101234567890123456": codeInvalid, "111234567890123456": codeNoMoney, "121234567890123456": codeLostReply,
		"131234567890123456": codePaid, "141234567890123456": codePassword, "151234567890123456": codePaid,
		"161234567890123456": codeInvalid, "13123456789012345a": codeInvalid, "": codeInvalid,
	} {
		if got := ruleFor(code); got != want {
			t.Errorf("ruleFor(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestWeChatWireNotification(t *testing.T) {
	h := newWxHarness(t)
	const no = "QT20250102000015"
	h.do(t, "POST", "/v3/pay/transactions/native", h.nativeBody(no), "")
	unpaid, _ := h.g.Ledger().Get(no)
	if _, err := h.wire.Notification(unpaid, NotifyFault{}); err == nil {
		t.Fatal("notified an unpaid trade")
	}
	tr, err := h.g.Ledger().Pay(no)
	if err != nil {
		t.Fatal(err)
	}
	open := func(d Delivery) (wxEnvelope, map[string]any) {
		t.Helper()
		var env wxEnvelope
		if err := json.Unmarshal(d.Body, &env); err != nil {
			t.Fatal(err)
		}
		r := env.Resource
		if len(r.Nonce) != 12 || r.AssociatedData != "transaction" || r.Algorithm != "AEAD_AES_256_GCM" || r.OriginalType != "transaction" {
			t.Fatalf("resource %+v", r)
		}
		block, _ := aes.NewCipher([]byte(h.keys.WeChatAPIv3Key))
		gcm, _ := cipher.NewGCM(block)
		ct, _ := base64.StdEncoding.DecodeString(r.Ciphertext)
		plain, err := gcm.Open(nil, []byte(r.Nonce), ct, []byte(r.AssociatedData))
		if err != nil {
			t.Fatalf("resource does not decrypt: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(plain, &m); err != nil {
			t.Fatal(err)
		}
		return env, m
	}
	d1, err := h.wire.Notification(tr, NotifyFault{})
	if err != nil {
		t.Fatal(err)
	}
	h.verified(t, wxAnswer{status: 200, header: d1.Header, body: d1.Body})
	if d1.Header.Get("Wechatpay-Signature-Type") != "WECHATPAY2-SHA256-RSA2048" {
		t.Fatalf("headers %v", d1.Header)
	}
	env, m := open(d1)
	if env.ID != d1.NotifyID || env.EventType != "TRANSACTION.SUCCESS" || env.ResourceType != "encrypt-resource" ||
		m["trade_state"] != "SUCCESS" || m["out_trade_no"] != no || m["mchid"] != h.keys.WeChatMchID || m["appid"] != h.keys.WeChatAppID ||
		m["transaction_id"] != tr.TradeNo || m["amount"].(map[string]any)["total"] != 1250.0 {
		t.Fatalf("notification %+v / %v", env, m)
	}
	d2, _ := h.wire.Notification(tr, NotifyFault{})
	if env2, _ := open(d2); env2.ID != env.ID || env2.Resource.Nonce == env.Resource.Nonce {
		t.Fatalf("retry: id %s vs %s, nonce reused %v", env2.ID, env.ID, env2.Resource.Nonce == env.Resource.Nonce)
	}
	bad, _ := h.wire.Notification(tr, NotifyFault{BadSignature: true})
	msg := bad.Header.Get("Wechatpay-Timestamp") + "\n" + bad.Header.Get("Wechatpay-Nonce") + "\n" + string(bad.Body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, _ := base64.StdEncoding.DecodeString(bad.Header.Get("Wechatpay-Signature"))
	if rsa.VerifyPKCS1v15(&h.keys.WeChatPlatformKey.PublicKey, crypto.SHA256, sum[:], sig) == nil {
		t.Fatal("BadSignature fault still verifies")
	}
	claim, _ := h.wire.Notification(tr, NotifyFault{AmountFen: 1})
	h.verified(t, wxAnswer{status: 200, header: claim.Header, body: claim.Body})
	if _, m := open(claim); m["amount"].(map[string]any)["total"] != 1.0 {
		t.Fatalf("amount fault: %v", m["amount"])
	}
}

func TestWeChatWireAckAndSchedule(t *testing.T) {
	w := newWxHarness(t).wire
	for status, want := range map[int]bool{200: true, 204: true, 202: false, 400: false, 500: false} {
		if got := w.Acknowledged(status, []byte(`{"code":"FAIL"}`)); got != want {
			t.Errorf("Acknowledged(%d) = %v", status, got)
		}
	}
	var total time.Duration
	s := w.RetrySchedule()
	for _, d := range s {
		total += d
	}
	if len(s) != 15 || total != 24*time.Hour+4*time.Minute {
		t.Fatalf("schedule %v (total %v)", s, total)
	}
	s[0] = 0
	if w.RetrySchedule()[0] != 15*time.Second {
		t.Fatal("RetrySchedule exposes its backing array")
	}
}
