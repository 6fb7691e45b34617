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
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

// doWithSerial is do with a Wechatpay-Serial request header, as gopay
// sends the serial it verifies with.
func (h *wxHarness) doWithSerial(t *testing.T, method, uri, serial string) wxAnswer {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", h.signAuth(t, h.keys.WeChatMerchantKey, method, uri, time.Now().Unix(), ""))
	req.Header.Set("Wechatpay-Serial", serial)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return wxAnswer{status: res.StatusCode, header: res.Header, body: b}
}

// signedBy reports whether headers and body carry a signature by key
// under serial.
func signedBy(hd http.Header, body []byte, key *rsa.PublicKey, serial string) bool {
	msg := hd.Get("Wechatpay-Timestamp") + "\n" + hd.Get("Wechatpay-Nonce") + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, _ := base64.StdEncoding.DecodeString(hd.Get("Wechatpay-Signature"))
	return hd.Get("Wechatpay-Serial") == serial && rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) == nil
}

// open decrypts an AEAD_AES_256_GCM resource with the APIv3 key.
func (h *wxHarness) open(t *testing.T, nonce, aad, ciphertext string) []byte {
	t.Helper()
	block, _ := aes.NewCipher([]byte(h.keys.WeChatAPIv3Key))
	gcm, _ := cipher.NewGCM(block)
	ct, _ := base64.StdEncoding.DecodeString(ciphertext)
	plain, err := gcm.Open(nil, []byte(nonce), ct, []byte(aad))
	if err != nil {
		t.Fatalf("resource does not decrypt: %v", err)
	}
	return plain
}

func TestWeChatWireSigningModes(t *testing.T) {
	h := newWxHarness(t)
	pub, cert := h.publicSigner(), h.certSigner()
	certs := "/v3/certificates"
	wantError(t, h.do(t, "GET", certs, "", ""), http.StatusNotFound, "RESOURCE_NOT_EXISTS")

	h.g.SetFaults(Faults{WeChatSigning: WeChatPlatformCert})
	a := h.do(t, "GET", certs, "", "")
	if a.status != 200 || !signedBy(a.header, a.body, &h.keys.WeChatCertKey.PublicKey, h.keys.Certs.WeChatSerial) {
		t.Fatalf("certificates: %d %s %v", a.status, a.body, a.header)
	}
	var list struct {
		Data []wxCertData `json:"data"`
	}
	if err := json.Unmarshal(a.body, &list); err != nil || len(list.Data) != 1 {
		t.Fatalf("certificates: %s", a.body)
	}
	d := list.Data[0]
	e := d.EncryptCertificate
	if d.SerialNo != h.keys.Certs.WeChatSerial || e.Algorithm != "AEAD_AES_256_GCM" || e.AssociatedData != "certificate" || len(e.Nonce) != 12 {
		t.Fatalf("certificate entry %+v", d)
	}
	if plain := h.open(t, e.Nonce, e.AssociatedData, e.Ciphertext); string(plain) != string(h.keys.Certs.WeChatPEM) {
		t.Fatal("the decrypted certificate is not the platform certificate")
	}
	for _, at := range []string{d.EffectiveTime, d.ExpireTime} {
		if _, err := time.Parse(time.RFC3339, at); err != nil {
			t.Errorf("time %q: %v", at, err)
		}
	}
	if a := h.do(t, "GET", certs+"?algorithm_type=SM2", "", ""); a.status != 200 || !strings.Contains(string(a.body), `"data":[]`) {
		t.Fatalf("SM2 certificates: %s", a.body)
	}
	query := "/v3/pay/transactions/out-trade-no/NOSUCH1?mchid=" + h.keys.WeChatMchID
	h.g.Ledger().Create(payments.WeChat, KindQR, "SIGN0001", 100, "x", "", time.Now().Add(time.Hour))
	query = strings.Replace(query, "NOSUCH1", "SIGN0001", 1)
	if a := h.doWithSerial(t, "GET", query, h.keys.WeChatPublicKeyID); !signedBy(a.header, a.body, &cert.key.PublicKey, cert.serial) {
		t.Fatal("platform-certificate mode answered with another key")
	}

	// The switch: answers as the request's serial asks, notifications
	// alternately one way and the other.
	h.g.SetFaults(Faults{WeChatSigning: WeChatSwitching})
	if a := h.doWithSerial(t, "GET", query, h.keys.WeChatPublicKeyID); !signedBy(a.header, a.body, &pub.key.PublicKey, pub.serial) {
		t.Fatal("switching: an answer to a public-key client is not signed by the public key")
	}
	if a := h.doWithSerial(t, "GET", query, cert.serial); !signedBy(a.header, a.body, &cert.key.PublicKey, cert.serial) {
		t.Fatal("switching: an answer to a certificate client is not signed by the certificate")
	}
	tr, _ := h.g.Ledger().Pay("SIGN0001")
	for i, want := range []wxSigner{cert, pub, cert} {
		d, err := h.wire.Notification(tr, NotifyFault{})
		if err != nil || !signedBy(d.Header, d.Body, &want.key.PublicKey, want.serial) {
			t.Fatalf("switching notification %d not signed by %s: %v", i, want.serial, err)
		}
	}
	if err := (Faults{WeChatSigning: "both"}).Validate(); err == nil || !strings.Contains(err.Error(), "wechat_signing") {
		t.Fatalf("unknown signing mode: %v", err)
	}
}

func (h *wxHarness) publicSigner() wxSigner {
	return h.g.wire(payments.WeChat).(*wechatWire).publicKeySigner()
}
func (h *wxHarness) certSigner() wxSigner {
	return h.g.wire(payments.WeChat).(*wechatWire).certSigner()
}

// jsonSink is a merchant's WeChat notify endpoint: it hands on every
// delivery and answers 204.
type jsonSink struct {
	srv *httptest.Server
	got chan wxAnswer
}

func newJSONSink(t *testing.T) *jsonSink {
	s := &jsonSink{got: make(chan wxAnswer, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.got <- wxAnswer{header: r.Header.Clone(), body: b}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// refundNotice waits for a delivery and decrypts its refund resource.
func (s *jsonSink) refundNotice(t *testing.T, h *wxHarness) (string, wxRefundNotice) {
	t.Helper()
	var d wxAnswer
	select {
	case d = <-s.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
	}
	if !signedBy(d.header, d.body, &h.keys.WeChatPlatformKey.PublicKey, h.keys.WeChatPublicKeyID) {
		t.Fatal("refund notification not signed by the public key")
	}
	var env wxEnvelope
	json.Unmarshal(d.body, &env)
	if env.Resource.OriginalType != "refund" || env.Resource.AssociatedData != "refund" {
		t.Fatalf("refund resource %+v", env.Resource)
	}
	var n wxRefundNotice
	if err := json.Unmarshal(h.open(t, env.Resource.Nonce, env.Resource.AssociatedData, env.Resource.Ciphertext), &n); err != nil {
		t.Fatal(err)
	}
	return env.EventType, n
}

func TestWeChatWireRefundOutcomes(t *testing.T) {
	h := newWxHarness(t)
	sink := newJSONSink(t)
	h.g.Ledger().Create(payments.WeChat, KindQR, "RFND0001", 1000, "x", "", time.Now().Add(time.Hour))
	tr, _ := h.g.Ledger().Pay("RFND0001")
	refund := func(no string, fen int) map[string]any {
		body := `{"amount":{"currency":"CNY","refund":` + itoa(fen) + `,"total":1000},"notify_url":"` + sink.srv.URL + `","out_refund_no":"` + no + `","out_trade_no":"RFND0001"}`
		a := h.do(t, "POST", "/v3/refund/domestic/refunds", body, "")
		h.verified(t, a)
		return a.json(t)
	}
	for _, c := range []struct {
		faults        Faults
		no            string
		status, event string
		refundedAfter int64
	}{
		{Faults{RefundAbnormal: 1}, "R1", "ABNORMAL", "REFUND.ABNORMAL", 100},
		{Faults{RefundClosed: 1}, "R2", "CLOSED", "REFUND.CLOSED", 100},
		{Faults{RefundProcessing: 1}, "R3", "SUCCESS", "REFUND.SUCCESS", 400},
		{Faults{}, "R4", "SUCCESS", "REFUND.SUCCESS", 800},
	} {
		h.g.SetFaults(c.faults)
		fen := map[string]int{"R1": 100, "R2": 200, "R3": 300, "R4": 400}[c.no]
		m := refund(c.no, fen)
		if c.faults != (Faults{}) && (m["status"] != "PROCESSING" || m["success_time"] != nil) {
			t.Fatalf("%s answered %v, want PROCESSING", c.no, m)
		}
		event, n := sink.refundNotice(t, h)
		if event != c.event || n.RefundStatus != c.status || n.OutRefundNo != c.no || n.OutTradeNo != "RFND0001" ||
			n.TransactionID != tr.TradeNo || n.Amount.Refund != int64(fen) || n.Amount.Total != 1000 || (c.status == "SUCCESS") != (n.SuccessTime != "") {
			t.Fatalf("%s notification %s %+v", c.no, event, n)
		}
		q := h.do(t, "GET", "/v3/refund/domestic/refunds/"+c.no, "", "")
		if got := q.json(t)["status"]; got != c.status {
			t.Fatalf("%s queried %v, want %s", c.no, got, c.status)
		}
		if tr, _ := h.g.Ledger().Get("RFND0001"); tr.RefundedFen != c.refundedAfter {
			t.Fatalf("after %s refunded %d, want %d (abnormal stays reserved, closed comes back)", c.no, tr.RefundedFen, c.refundedAfter)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestWeChatWireRefundAnswerFaults(t *testing.T) {
	h := newWxHarness(t)
	h.g.Ledger().Create(payments.WeChat, KindQR, "RFND0002", 1000, "x", "", time.Now().Add(time.Hour))
	h.g.Ledger().Pay("RFND0002")
	body := `{"amount":{"currency":"CNY","refund":100,"total":1000},"out_refund_no":"R1","out_trade_no":"RFND0002"}`
	// Rate limited: refused, nothing made; the same number later works.
	h.g.SetFaults(Faults{RefundRateLimited: 1})
	wantError(t, h.do(t, "POST", "/v3/refund/domestic/refunds", body, ""), http.StatusTooManyRequests, "FREQUENCY_LIMITED")
	if tr, _ := h.g.Ledger().Get("RFND0002"); len(tr.Refunds) != 0 {
		t.Fatal("a rate-limited refund was made")
	}
	h.verified(t, h.do(t, "POST", "/v3/refund/domestic/refunds", body, ""))
	// A lost answer: the refund is made, the answer is an error status.
	h.g.SetFaults(Faults{RefundLostReply: 1, RefundLostReplyStatus: 400})
	body = strings.Replace(body, `"R1"`, `"R2"`, 1)
	wantError(t, h.do(t, "POST", "/v3/refund/domestic/refunds", body, ""), http.StatusBadRequest, "SYSTEM_ERROR")
	if q := h.do(t, "GET", "/v3/refund/domestic/refunds/R2", "", ""); q.status != 200 || q.json(t)["status"] != "SUCCESS" {
		t.Fatalf("the refund behind the lost answer: %d %s", q.status, q.body)
	}
	for _, bad := range []Faults{{RefundLostReplyStatus: 429}, {RefundLostReplyStatus: 200}, {RefundRateLimited: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestWeChatWireCloseRefusedWithACode(t *testing.T) {
	h := newWxHarness(t)
	h.g.Ledger().Create(payments.WeChat, KindQR, "CLOS0001", 100, "x", "", time.Now().Add(time.Hour))
	h.g.SetFaults(Faults{PayBeforeClose: 1, CloseRefuseNext: 1, CloseRefuseCode: "TRADE_STATE_ERROR"})
	body := `{"mchid":"` + h.keys.WeChatMchID + `"}`
	wantError(t, h.do(t, "POST", "/v3/pay/transactions/out-trade-no/CLOS0001/close", body, ""), http.StatusBadRequest, "TRADE_STATE_ERROR")
	if tr, _ := h.g.Ledger().Get("CLOS0001"); tr.Status != StatusPaid {
		t.Fatalf("after the refused close: %s", tr.Status)
	}
	for _, bad := range []Faults{{CloseRefuseNext: 1}, {CloseRefuseNext: 1, CloseRefuseCode: "has space"}} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "close_refuse") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestNotificationAnswerDeadline(t *testing.T) {
	g, err := New(Config{Keys: sharedKeys(t), TimeScale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	wx, ali := g.wire(payments.WeChat), g.wire(payments.Alipay)
	// 5 s (Alipay: 10 s) × time-scale, never under the floor.
	for _, c := range []struct {
		scale float64
		floor time.Duration
		w     Wire
		want  time.Duration
	}{
		{1, minAnswerDeadline, wx, 5 * time.Second},
		{0.01, time.Millisecond, wx, 50 * time.Millisecond},
		{0.01, time.Millisecond, ali, 100 * time.Millisecond},
		{0.0001, minAnswerDeadline, wx, minAnswerDeadline},
	} {
		g.cfg.TimeScale, g.notifier.minDeadline = c.scale, c.floor
		if got := g.notifier.answerDeadline(c.w); got != c.want {
			t.Errorf("%s deadline at time-scale %v: %v, want %v", c.w.Channel(), c.scale, got, c.want)
		}
	}
	// A merchant that never answers is given up on (after 50 ms here),
	// and retried.
	g.cfg.TimeScale, g.notifier.minDeadline = 0.01, time.Millisecond
	abandoned := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if len(abandoned) == 0 {
			<-r.Context().Done() // hangs until the sandbox stops waiting
			abandoned <- struct{}{}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	g.Ledger().Create(payments.WeChat, KindQR, "LATE0001", 100, "x", srv.URL, time.Now().Add(time.Hour))
	g.Ledger().Pay("LATE0001")
	waitUntil(t, "the retry acknowledged", func() bool { tr, _ := g.Ledger().Get("LATE0001"); return tr.Notified })
	if tr, _ := g.Ledger().Get("LATE0001"); tr.NotifyAttempts != 2 || len(abandoned) != 1 {
		t.Fatalf("%d attempts, %d abandoned", tr.NotifyAttempts, len(abandoned))
	}
}
