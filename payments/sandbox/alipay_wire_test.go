package sandbox_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxtest"
)

// aliClient is a hand-rolled Alipay v1 client (PROTOCOLS A2–A4), written
// apart from gopay so the wire is checked against the protocol itself.
type aliClient struct {
	t     *testing.T
	g     *sandboxtest.Gateway
	key   *rsa.PrivateKey
	appID string
	query string            // the URL's query; gopay sends ?charset=utf-8
	extra map[string]string // more public parameters (cert mode SNs)
	// inQuery moves these signed parameters from the body to the URL
	// query, as the official alipay-sdk sends the common ones.
	inQuery []string
	// verifyWith is the key answers must verify with (nil: the platform key).
	verifyWith *rsa.PublicKey
}

func newAliClient(t *testing.T) *aliClient {
	g := sandboxtest.Start(t)
	return &aliClient{t: t, g: g, key: g.Keys().AlipayAppKey, appID: g.Keys().AlipayAppID, query: "charset=utf-8"}
}

// aliAnswer is one parsed answer.
type aliAnswer struct {
	raw, node []byte
	name      string
	certSN    string
	fields    map[string]any
}

func (a aliAnswer) str(k string) string { s, _ := a.fields[k].(string); return s }

// answerRE is the only shape gopay can cut the signed node out of.
var answerRE = regexp.MustCompile(`^\{"([a-z_]+)_response":(\{.*\})(?:,"alipay_cert_sn":"([0-9a-f]+)")?,"sign":"([A-Za-z0-9+/=]+)"\}$`)

// call sends one signed request; tamper may edit the form after signing.
func (c *aliClient) call(method string, biz map[string]any, tamper func(url.Values)) aliAnswer {
	c.t.Helper()
	bizJSON, _ := json.Marshal(biz)
	form := url.Values{"app_id": {c.appID}, "method": {method}, "format": {"JSON"}, "charset": {"utf-8"}, "sign_type": {"RSA2"},
		"timestamp": {time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateTime)}, "version": {"1.0"}, "biz_content": {string(bizJSON)}}
	for k, v := range c.extra {
		form.Set(k, v)
	}
	form.Set("sign", signForm(c.t, c.key, form, "sign"))
	if tamper != nil {
		tamper(form)
	}
	query, _ := url.ParseQuery(c.query)
	for _, k := range c.inQuery {
		query[k] = form[k]
		form.Del(k)
	}
	resp, err := http.Post(c.g.Server.URL+"/gateway.do?"+query.Encode(), "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d %s", method, resp.StatusCode, raw)
	}
	m := answerRE.FindSubmatch(raw)
	if m == nil {
		c.t.Fatalf("%s: answer not in gopay's shape: %s", method, raw)
	}
	a := aliAnswer{raw: raw, name: string(m[1]), node: m[2], certSN: string(m[3])}
	var compact bytes.Buffer
	if err := json.Compact(&compact, a.node); err != nil || !bytes.Equal(compact.Bytes(), a.node) {
		c.t.Fatalf("%s: node is not compact JSON: %s", method, a.node)
	}
	sig, _ := base64.StdEncoding.DecodeString(string(m[4]))
	sum := sha256.Sum256(a.node)
	pub := c.verifyWith
	if pub == nil {
		pub = &c.g.Keys().AlipayPlatformKey.PublicKey
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		c.t.Fatalf("%s: answer signature: %v", method, err)
	}
	if err := json.Unmarshal(a.node, &a.fields); err != nil {
		c.t.Fatal(err)
	}
	return a
}

// signForm signs every non-empty field but the excluded ones, sorted,
// joined k=v&k=v with raw values, SHA256withRSA, base64.
func signForm(t *testing.T, key *rsa.PrivateKey, form url.Values, exclude ...string) string {
	t.Helper()
	var parts []string
	for k := range form {
		skip := form.Get(k) == ""
		for _, e := range exclude {
			skip = skip || k == e
		}
		if !skip {
			parts = append(parts, k+"="+form.Get(k))
		}
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "&")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func wantCode(t *testing.T, a aliAnswer, code, subCode string) {
	t.Helper()
	if a.str("code") != code || a.str("sub_code") != subCode {
		t.Fatalf("answer %s, want code %s sub_code %s", a.node, code, subCode)
	}
}

func TestAlipayWireEnvelope(t *testing.T) {
	c := newAliClient(t)
	a := c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "W1", "total_amount": "12.50", "subject": "Water <5>"}, nil)
	if a.name != "alipay_trade_precreate" || !strings.HasPrefix(string(a.raw), `{"alipay_trade_precreate_response":{`) || a.certSN != "" {
		t.Fatalf("envelope: %s", a.raw)
	}
	wantCode(t, a, "10000", "")
	if a.str("msg") != "Success" || a.str("out_trade_no") != "W1" || a.str("qr_code") != c.g.QRContent("W1") {
		t.Fatalf("precreate: %s", a.node)
	}
	// Listed at once as created, though Alipay has no trade before the scan.
	if tr, err := c.g.Ledger().Get("W1"); err != nil || tr.Status != sandbox.StatusCreated || tr.AmountFen != 1250 {
		t.Fatalf("ledger: %+v %v", tr, err)
	}
	// Error answers are signed too, and keep the real "0.00" fields.
	a = c.call("alipay.trade.query", map[string]any{"out_trade_no": "W1"}, nil)
	wantCode(t, a, "40004", "ACQ.TRADE_NOT_EXIST")
	if a.str("msg") != "Business Failed" || a.str("out_trade_no") != "W1" || a.str("receipt_amount") != "0.00" || a.str("buyer_pay_amount") != "0.00" {
		t.Fatalf("query before scan: %s", a.node)
	}
	// A JSON number amount (gopay sends whatever type the caller set).
	a = c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "W2", "total_amount": json.Number("0.50"), "subject": "x"}, nil)
	wantCode(t, a, "10000", "")
	if tr, _ := c.g.Ledger().Get("W2"); tr.AmountFen != 50 {
		t.Fatalf("numeric amount: %+v", tr)
	}
}

func TestAlipayWireGatewayChecks(t *testing.T) {
	c := newAliClient(t)
	precreate := map[string]any{"out_trade_no": "W3", "total_amount": "1.00", "subject": "x"}
	// URL parameters are part of the signed set: one slipped in after
	// signing breaks the signature, and nothing is acted on.
	c.query = "charset=utf-8&notify_url=http://evil.example"
	wantCode(t, c.call("alipay.trade.precreate", precreate, nil), "40002", "isv.invalid-signature")
	if _, err := c.g.Ledger().Get("W3"); err == nil {
		t.Fatal("a request with an unsigned URL parameter was acted on")
	}
	// The URL's duplicate charset is one parameter, signed once.
	c.query = "charset=utf-8"
	wantCode(t, c.call("alipay.trade.precreate", precreate, nil), "10000", "")
	for name, tamper := range map[string]func(url.Values){
		"edited after signing": func(f url.Values) { f.Set("biz_content", `{"out_trade_no":"W4","total_amount":"0.01","subject":"x"}`) },
		"signed by another key": func(f url.Values) {
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			f.Set("sign", signForm(t, other, f, "sign"))
		},
		"sign_type left out of the signature": func(f url.Values) { f.Set("sign", signForm(t, c.key, f, "sign", "sign_type")) },
		"sign not base64":                     func(f url.Values) { f.Set("sign", "!!") },
	} {
		a := c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "W4", "total_amount": "1.00", "subject": "x"}, tamper)
		if a.str("code") != "40002" || a.str("msg") != "Invalid Arguments" || a.str("sub_code") != "isv.invalid-signature" {
			t.Errorf("%s: %s", name, a.node)
		}
	}
	if _, err := c.g.Ledger().Get("W4"); err == nil {
		t.Fatal("a request with a bad signature was acted on")
	}
	wantCode(t, c.call("alipay.trade.query", map[string]any{"out_trade_no": "W3"}, func(f url.Values) { f.Del("sign") }), "40001", "isv.missing-signature")
	wantCode(t, c.call("alipay.trade.query", map[string]any{"out_trade_no": "W3"}, func(f url.Values) { f.Set("sign_type", "RSA") }), "40002", "isv.invalid-signature-type")
	wantCode(t, c.call("alipay.trade.nonsense", map[string]any{}, nil), "40002", "isv.invalid-method")
	c.appID = "2021000000000001"
	wantCode(t, c.call("alipay.trade.query", map[string]any{"out_trade_no": "W3"}, nil), "40002", "isv.invalid-app-id")
}

func TestAlipayWireCertMode(t *testing.T) {
	c := newAliClient(t)
	certs := c.g.Keys().Certs
	c.extra = map[string]string{"app_cert_sn": certs.AppSN, "alipay_root_cert_sn": certs.RootSN}
	a := c.call("alipay.trade.query", map[string]any{"out_trade_no": "W5"}, nil)
	if a.certSN != certs.AlipaySN {
		t.Fatalf("cert mode answer: %s", a.raw)
	}
	c.extra["app_cert_sn"] = "0123"
	wantCode(t, c.call("alipay.trade.query", map[string]any{"out_trade_no": "W5"}, nil), "40002", "isv.app-cert-sn-not-match")
}

func TestAlipayWireTradeRules(t *testing.T) {
	c := newAliClient(t)
	l := c.g.Ledger()
	pre := func(no, amount string) aliAnswer {
		return c.call("alipay.trade.precreate", map[string]any{"out_trade_no": no, "total_amount": amount, "subject": "x"}, nil)
	}
	on := func(method, no string) aliAnswer { return c.call(method, map[string]any{"out_trade_no": no}, nil) }
	// Before the scan: close finds nothing, cancel closes the precreate
	// and a later scan or payment of it fails.
	pre("R1", "5.00")
	wantCode(t, on("alipay.trade.close", "R1"), "40004", "ACQ.TRADE_NOT_EXIST")
	a := on("alipay.trade.cancel", "R1")
	if a.str("code") != "10000" || a.str("action") != "close" || a.str("retry_flag") != "N" {
		t.Fatalf("cancel before scan: %s", a.node)
	}
	if _, err := l.Scan("R1"); err == nil {
		t.Fatal("scanned a cancelled precreate")
	}
	if _, err := l.Pay("R1"); err == nil {
		t.Fatal("paid a cancelled precreate")
	}
	wantCode(t, on("alipay.trade.cancel", "R0"), "40004", "ACQ.TRADE_NOT_EXIST")
	// Scanned: WAIT_BUYER_PAY, then close.
	pre("R2", "5.00")
	l.Scan("R2")
	if a := on("alipay.trade.query", "R2"); a.str("trade_status") != "WAIT_BUYER_PAY" || len(a.str("trade_no")) != 28 || !strings.Contains(a.str("buyer_logon_id"), "****") {
		t.Fatalf("scanned: %s", a.node)
	}
	wantCode(t, on("alipay.trade.close", "R2"), "10000", "")
	if a := on("alipay.trade.query", "R2"); a.str("trade_status") != "TRADE_CLOSED" || a.str("send_pay_date") != "" {
		t.Fatalf("closed: %s", a.node)
	}
	// Paid: close refused; the same out_trade_no for another amount refused.
	pre("R3", "5.00")
	tr, _ := l.Pay("R3")
	wantCode(t, on("alipay.trade.close", "R3"), "40004", "ACQ.TRADE_STATUS_ERROR")
	a = on("alipay.trade.query", "R3")
	if a.str("trade_status") != "TRADE_SUCCESS" || a.str("total_amount") != "5.00" || a.str("buyer_pay_amount") != "5.00" ||
		a.str("send_pay_date") != tr.PaidAt.In(time.FixedZone("CST", 8*3600)).Format(time.DateTime) {
		t.Fatalf("paid: %s", a.node)
	}
	wantCode(t, pre("R3", "5.01"), "40004", "ACQ.CONTEXT_INCONSISTENT")
	wantCode(t, pre("R3", "5.00"), "40004", "ACQ.TRADE_HAS_SUCCESS")
	// Refunds: partial, repeated, over the rest, queried, full.
	refund := func(no, amount string) aliAnswer {
		return c.call("alipay.trade.refund", map[string]any{"out_trade_no": "R3", "out_request_no": no, "refund_amount": amount}, nil)
	}
	if a := refund("R3-1", "1.00"); a.str("fund_change") != "Y" || a.str("refund_fee") != "1.00" {
		t.Fatalf("refund: %s", a.node)
	}
	if a := refund("R3-1", "1.00"); a.str("code") != "10000" || a.str("fund_change") != "N" || a.str("refund_fee") != "1.00" {
		t.Fatalf("repeated refund: %s", a.node)
	}
	wantCode(t, refund("R3-2", "4.01"), "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
	q := c.call("alipay.trade.fastpay.refund.query", map[string]any{"out_trade_no": "R3", "out_request_no": "R3-1"}, nil)
	if q.str("refund_amount") != "1.00" || q.str("refund_status") != "REFUND_SUCCESS" || q.str("out_request_no") != "R3-1" {
		t.Fatalf("refund query: %s", q.node)
	}
	if q := c.call("alipay.trade.fastpay.refund.query", map[string]any{"out_trade_no": "R3", "out_request_no": "R3-2"}, nil); q.str("code") != "10000" || q.str("refund_amount") != "" {
		t.Fatalf("query of a refund that did not happen: %s", q.node)
	}
	refund("R3-3", "4.00")
	if a := on("alipay.trade.query", "R3"); a.str("trade_status") != "TRADE_CLOSED" || a.str("send_pay_date") == "" {
		t.Fatalf("fully refunded: %s", a.node)
	}
	// Paid, then cancelled: refunded in full.
	pre("R4", "2.00")
	l.Pay("R4")
	if a := on("alipay.trade.cancel", "R4"); a.str("action") != "refund" || a.str("gmt_refund_pay") == "" {
		t.Fatalf("cancel of a paid trade: %s", a.node)
	}
	if tr, _ := l.Get("R4"); tr.Status != sandbox.StatusRefunded {
		t.Fatalf("after cancel: %+v", tr)
	}
}

func TestAlipayWireCodePay(t *testing.T) {
	c := newAliClient(t)
	pay := func(no, code string) aliAnswer {
		return c.call("alipay.trade.pay", map[string]any{"out_trade_no": no, "scene": "bar_code", "auth_code": code, "subject": "Tea", "total_amount": "3.00"}, nil)
	}
	a := pay("P1", sandbox.AlipayCodePaid+"1234567890123456")
	if a.str("code") != "10000" || a.str("buyer_pay_amount") != "3.00" || a.str("gmt_payment") == "" || len(a.str("trade_no")) != 28 {
		t.Fatalf("28…: %s", a.node)
	}
	wantCode(t, pay("P1", sandbox.AlipayCodePaid+"1234567890123456"), "40004", "ACQ.TRADE_HAS_SUCCESS")
	a = pay("P2", sandbox.AlipayCodePassword+"1234567890123456")
	if a.str("code") != "10003" || a.str("msg") != " order success pay inprocess" || a.str("buyer_pay_amount") != "0.00" || a.str("trade_no") == "" {
		t.Fatalf("25…: %s", a.node)
	}
	if tr, _ := c.g.Ledger().Get("P2"); tr.Status != sandbox.StatusScanned || tr.Kind != sandbox.KindCode {
		t.Fatalf("waiting for the password: %+v", tr)
	}
	wantCode(t, pay("P3", "291234567890123456"), "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID")
	wantCode(t, pay("P3", "28123"), "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID")
	wantCode(t, pay("P3", sandbox.AlipayCodeNoBalance+"1234567890123456"), "40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH")
	if _, err := c.g.Ledger().Get("P3"); err == nil {
		t.Fatal("a refused code made a trade")
	}
	wantCode(t, pay("P4", sandbox.AlipayCodeSystemError+"1234567890123456"), "40004", "ACQ.SYSTEM_ERROR")
	if tr, _ := c.g.Ledger().Get("P4"); tr.Status != sandbox.StatusPaid {
		t.Fatalf("27… must have taken the money: %+v", tr)
	}
}

func TestAlipayWireNotification(t *testing.T) {
	c := newAliClient(t)
	w := sandbox.NewAlipayWire(c.g.Gateway)
	if !w.Acknowledged(200, []byte("success")) || w.Acknowledged(200, []byte("success\n")) || w.Acknowledged(200, []byte("fail")) || w.Acknowledged(200, nil) {
		t.Fatal("only the exact body success acknowledges")
	}
	want := []time.Duration{4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
	if got := w.RetrySchedule(); len(got) != len(want) || got[0] != want[0] || got[6] != want[6] {
		t.Fatalf("retry schedule %v", got)
	}
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "N1", "total_amount": "12.50", "subject": "Water"}, nil)
	if _, err := w.Notification(sandbox.Trade{OutTradeNo: "N1"}, sandbox.NotifyFault{}); err == nil {
		t.Fatal("a notification for an unpaid trade")
	}
	tr, _ := c.g.Ledger().Pay("N1")
	d, err := w.Notification(tr, sandbox.NotifyFault{})
	if err != nil {
		t.Fatal(err)
	}
	form, _ := url.ParseQuery(string(d.Body))
	for k, v := range map[string]string{"notify_type": "trade_status_sync", "app_id": c.appID, "seller_id": c.g.Keys().AlipaySellerID,
		"out_trade_no": "N1", "trade_no": tr.TradeNo, "trade_status": "TRADE_SUCCESS", "total_amount": "12.50", "receipt_amount": "12.50",
		"buyer_pay_amount": "12.50", "buyer_id": tr.BuyerID, "buyer_logon_id": tr.BuyerLogon, "charset": "utf-8", "version": "1.0",
		"sign_type": "RSA2", "notify_id": d.NotifyID} {
		if form.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, form.Get(k), v)
		}
	}
	for _, k := range []string{"gmt_create", "gmt_payment", "notify_time"} {
		if _, err := time.Parse(time.DateTime, form.Get(k)); err != nil {
			t.Errorf("%s = %q", k, form.Get(k))
		}
	}
	if !strings.HasPrefix(d.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("content type %q", d.Header.Get("Content-Type"))
	}
	verifies := func(form url.Values) bool { return formVerifies(&c.g.Keys().AlipayPlatformKey.PublicKey, form) }
	if !verifies(form) {
		t.Fatal("notification signature does not verify")
	}
	again, _ := w.Notification(tr, sandbox.NotifyFault{})
	if again.NotifyID != d.NotifyID {
		t.Fatal("notify_id changes between deliveries")
	}
	bad, _ := w.Notification(tr, sandbox.NotifyFault{BadSignature: true})
	if f, _ := url.ParseQuery(string(bad.Body)); verifies(f) {
		t.Fatal("the bad-signature fault still verifies")
	}
	wrong, _ := w.Notification(tr, sandbox.NotifyFault{AmountFen: 1251})
	if f, _ := url.ParseQuery(string(wrong.Body)); !verifies(f) || f.Get("total_amount") != "12.51" || f.Get("receipt_amount") != "12.51" {
		t.Fatalf("wrong-amount fault: %v", f)
	}
}
