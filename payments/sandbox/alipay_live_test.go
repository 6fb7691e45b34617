package sandbox_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"qrtill/payments/sandbox"
)

// formSink is a merchant's Alipay notify endpoint: it hands on every
// form and answers success.
type formSink struct {
	srv   *httptest.Server
	forms chan url.Values
}

func newFormSink(t *testing.T) *formSink {
	s := &formSink{forms: make(chan url.Values, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f, _ := url.ParseQuery(string(body))
		s.forms <- f
		io.WriteString(w, "success")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *formSink) next(t *testing.T) url.Values {
	t.Helper()
	select {
	case f := <-s.forms:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
	}
	return nil
}

// formVerifies checks an Alipay notification's RSA2 signature with pub.
func formVerifies(pub *rsa.PublicKey, form url.Values) bool {
	var parts []string
	for k := range form {
		if k != "sign" && k != "sign_type" && form.Get(k) != "" {
			parts = append(parts, k+"="+form.Get(k))
		}
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "&")))
	sig, _ := base64.StdEncoding.DecodeString(form.Get("sign"))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

func TestAlipayWireParametersInTheQuery(t *testing.T) {
	c := newAliClient(t)
	pre := func(no string) aliAnswer {
		return c.call("alipay.trade.precreate", map[string]any{"out_trade_no": no, "total_amount": "1.00", "subject": "x"}, nil)
	}
	// As the official alipay-sdk sends them: every common parameter in the
	// URL query, only biz_content in the body.
	c.inQuery = []string{"app_id", "method", "format", "charset", "sign_type", "timestamp", "version", "sign"}
	wantCode(t, pre("Q1"), "10000", "")
	// Some in each.
	c.inQuery = []string{"method", "sign", "timestamp"}
	wantCode(t, pre("Q2"), "10000", "")
	for _, no := range []string{"Q1", "Q2"} {
		if _, err := c.g.Ledger().Get(no); err != nil {
			t.Fatalf("%s not made: %v", no, err)
		}
	}
	// A call without a method is answered in the gateway's own node.
	c.inQuery = nil
	a := c.call("", map[string]any{"out_trade_no": "Q1"}, nil)
	if a.name != "error" {
		t.Fatalf("no method: node %q in %s", a.name, a.raw)
	}
	wantCode(t, a, "40001", "isv.missing-method")
}

func TestAlipayWireTradeNo(t *testing.T) {
	c := newAliClient(t)
	byNo := func(method, tradeNo string, more map[string]any) aliAnswer {
		biz := map[string]any{"trade_no": tradeNo}
		for k, v := range more {
			biz[k] = v
		}
		return c.call(method, biz, nil)
	}
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "T1", "total_amount": "5.00", "subject": "x"}, nil)
	tr, _ := c.g.Ledger().Pay("T1")
	if a := byNo("alipay.trade.query", tr.TradeNo, nil); a.str("trade_status") != "TRADE_SUCCESS" || a.str("out_trade_no") != "T1" {
		t.Fatalf("query by trade_no: %s", a.node)
	}
	// trade_no wins over out_trade_no.
	if a := byNo("alipay.trade.query", tr.TradeNo, map[string]any{"out_trade_no": "nosuch"}); a.str("out_trade_no") != "T1" {
		t.Fatalf("query by both: %s", a.node)
	}
	wantCode(t, byNo("alipay.trade.close", tr.TradeNo, nil), "40004", "ACQ.TRADE_STATUS_ERROR")
	if a := byNo("alipay.trade.refund", tr.TradeNo, map[string]any{"out_request_no": "T1R1", "refund_amount": "1.00"}); a.str("fund_change") != "Y" {
		t.Fatalf("refund by trade_no: %s", a.node)
	}
	if a := byNo("alipay.trade.fastpay.refund.query", tr.TradeNo, map[string]any{"out_request_no": "T1R1"}); a.str("refund_status") != "REFUND_SUCCESS" || a.str("out_trade_no") != "T1" {
		t.Fatalf("refund query by trade_no: %s", a.node)
	}
	if a := byNo("alipay.trade.cancel", tr.TradeNo, nil); a.str("action") != "refund" || a.str("out_trade_no") != "T1" {
		t.Fatalf("cancel by trade_no: %s", a.node)
	}
	for _, m := range []string{"alipay.trade.query", "alipay.trade.close", "alipay.trade.cancel"} {
		wantCode(t, byNo(m, "2026000000000000000000000000", nil), "40004", "ACQ.TRADE_NOT_EXIST")
	}
}

func TestAlipayWireCloseRefusedWithACode(t *testing.T) {
	c := newAliClient(t)
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "C1", "total_amount": "5.00", "subject": "x"}, nil)
	c.g.Ledger().Scan("C1")
	// Alipay refusing the close of a trade the buyer has just paid.
	c.g.SetFaults(sandbox.Faults{PayBeforeClose: 1, CloseRefuseNext: 1, CloseRefuseCode: "ACQ.REASON_TRADE_STATUS_INVALID"})
	a := c.call("alipay.trade.close", map[string]any{"out_trade_no": "C1"}, nil)
	wantCode(t, a, "40004", "ACQ.REASON_TRADE_STATUS_INVALID")
	if a.str("trade_no") == "" {
		t.Fatalf("refusal without trade_no: %s", a.node)
	}
	if a := c.call("alipay.trade.query", map[string]any{"out_trade_no": "C1"}, nil); a.str("trade_status") != "TRADE_SUCCESS" {
		t.Fatalf("after the refused close: %s", a.node)
	}
	// Spent: the next close of the paid trade answers the usual code.
	wantCode(t, c.call("alipay.trade.close", map[string]any{"out_trade_no": "C1"}, nil), "40004", "ACQ.TRADE_STATUS_ERROR")
}

func TestAlipayWireRefundProcessingAndNotified(t *testing.T) {
	c := newAliClient(t)
	sink := newFormSink(t)
	c.extra = map[string]string{"notify_url": sink.srv.URL}
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "F1", "total_amount": "5.00", "subject": "x"}, nil)
	tr, _ := c.g.Ledger().Pay("F1")
	if f := sink.next(t); f.Get("trade_status") != "TRADE_SUCCESS" || f.Get("refund_fee") != "" {
		t.Fatalf("payment notification: %v", f)
	}
	c.g.SetFaults(sandbox.Faults{RefundProcessing: 1})
	refund := func(no, amount string) aliAnswer {
		return c.call("alipay.trade.refund", map[string]any{"out_trade_no": "F1", "out_request_no": no, "refund_amount": amount}, nil)
	}
	query := func(no string) aliAnswer {
		return c.call("alipay.trade.fastpay.refund.query", map[string]any{"out_trade_no": "F1", "out_request_no": no}, nil)
	}
	// A first refund that moved no money yet: fund_change N, nothing in
	// the refund query until it is done.
	if a := refund("F1R1", "2.00"); a.str("code") != "10000" || a.str("fund_change") != "N" || a.str("refund_fee") != "0.00" {
		t.Fatalf("processing refund: %s", a.node)
	}
	f := sink.next(t) // sent once the refund is done
	if q := query("F1R1"); q.str("refund_status") != "REFUND_SUCCESS" || q.str("refund_amount") != "2.00" {
		t.Fatalf("refund query once done: %s", q.node)
	}
	if f.Get("trade_status") != "TRADE_SUCCESS" || f.Get("refund_fee") != "2.00" || f.Get("out_biz_no") != "F1R1" ||
		f.Get("gmt_refund") == "" || f.Get("trade_no") != tr.TradeNo || f.Get("total_amount") != "5.00" ||
		!formVerifies(&c.g.Keys().AlipayPlatformKey.PublicKey, f) {
		t.Fatalf("refund notification: %v", f)
	}
	// The rest, at once: the trade closes, and the notification says so.
	if a := refund("F1R2", "3.00"); a.str("fund_change") != "Y" || a.str("refund_fee") != "5.00" {
		t.Fatalf("second refund: %s", a.node)
	}
	if f := sink.next(t); f.Get("trade_status") != "TRADE_CLOSED" || f.Get("refund_fee") != "5.00" || f.Get("out_biz_no") != "F1R2" ||
		f.Get("gmt_close") == "" || f.Get("notify_id") == "" {
		t.Fatalf("full refund notification: %v", f)
	}
}

func TestAlipayWireRefundLostReply(t *testing.T) {
	c := newAliClient(t)
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "L1", "total_amount": "5.00", "subject": "x"}, nil)
	c.g.Ledger().Pay("L1")
	c.g.SetFaults(sandbox.Faults{RefundLostReply: 1})
	wantCode(t, c.call("alipay.trade.refund", map[string]any{"out_trade_no": "L1", "out_request_no": "L1R1", "refund_amount": "1.00"}, nil),
		"20000", "isp.unknow-error")
	q := c.call("alipay.trade.fastpay.refund.query", map[string]any{"out_trade_no": "L1", "out_request_no": "L1R1"}, nil)
	if q.str("refund_status") != "REFUND_SUCCESS" {
		t.Fatalf("the refund behind the lost answer: %s", q.node)
	}
}

func TestAlipayWireTradeFinished(t *testing.T) {
	c := newAliClient(t)
	sink := newFormSink(t)
	c.extra = map[string]string{"notify_url": sink.srv.URL}
	c.g.SetFaults(sandbox.Faults{AlipayFinished: 1})
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "D1", "total_amount": "5.00", "subject": "x"}, nil)
	c.g.Ledger().Pay("D1")
	if f := sink.next(t); f.Get("trade_status") != "TRADE_FINISHED" {
		t.Fatalf("notification: %v", f)
	}
	if a := c.call("alipay.trade.query", map[string]any{"out_trade_no": "D1"}, nil); a.str("trade_status") != "TRADE_FINISHED" {
		t.Fatalf("query: %s", a.node)
	}
	wantCode(t, c.call("alipay.trade.refund", map[string]any{"out_trade_no": "D1", "out_request_no": "D1R1", "refund_amount": "1.00"}, nil),
		"40004", "ACQ.TRADE_HAS_FINISHED")
}

func TestAlipayWireCertificateRotation(t *testing.T) {
	c := newAliClient(t)
	keys, certs := c.g.Keys(), c.g.Keys().Certs
	sink := newFormSink(t)
	c.extra = map[string]string{"app_cert_sn": certs.AppSN, "alipay_root_cert_sn": certs.RootSN, "notify_url": sink.srv.URL}
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "K1", "total_amount": "5.00", "subject": "x"}, nil)
	c.g.SetFaults(sandbox.Faults{AlipayCertRotated: true})
	// Certificate-mode answers: the new SN, the new key.
	c.verifyWith = &keys.AlipayNextPlatformKey.PublicKey
	if a := c.call("alipay.trade.query", map[string]any{"out_trade_no": "K1"}, nil); a.certSN != certs.NextAlipaySN || a.certSN == certs.AlipaySN {
		t.Fatalf("rotated answer carries SN %q", a.certSN)
	}
	a := c.call("alipay.open.app.alipaycert.download", map[string]any{"alipay_cert_sn": certs.NextAlipaySN}, nil)
	wantCode(t, a, "10000", "")
	chain, err := base64.StdEncoding.DecodeString(a.str("alipay_cert_content"))
	if err != nil {
		t.Fatal(err)
	}
	leaf, mid := parseChain(t, chain)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certs.RootPEM)
	inter := x509.NewCertPool()
	inter.AddCert(mid)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("the new certificate does not chain to the root: %v", err)
	}
	if !keys.AlipayNextPlatformKey.PublicKey.Equal(leaf.PublicKey) {
		t.Fatal("the new certificate is not over the new key")
	}
	wantCode(t, c.call("alipay.open.app.alipaycert.download", map[string]any{"alipay_cert_sn": "00ff"}, nil), "40004", "ALIPAY_CERT_NOT_EXIST")
	// The certificate-mode trade's notification is signed by the new key.
	c.g.Ledger().Pay("K1")
	if f := sink.next(t); !formVerifies(&keys.AlipayNextPlatformKey.PublicKey, f) {
		t.Fatal("the notification of a certificate-mode trade is not signed by the new certificate")
	}
	// Public-key mode is untouched: the old key, no SN.
	c.extra, c.verifyWith = map[string]string{"notify_url": sink.srv.URL}, nil
	c.call("alipay.trade.precreate", map[string]any{"out_trade_no": "K2", "total_amount": "5.00", "subject": "x"}, nil)
	if a := c.call("alipay.trade.query", map[string]any{"out_trade_no": "K1"}, nil); a.certSN != "" {
		t.Fatalf("public-key answer carries SN %q", a.certSN)
	}
	c.g.Ledger().Pay("K2")
	if f := sink.next(t); !formVerifies(&keys.AlipayPlatformKey.PublicKey, f) {
		t.Fatal("the notification of a public-key trade is not signed by the platform key")
	}
}

// parseChain reads a leaf-first chain of two PEM certificates.
func parseChain(t *testing.T, data []byte) (leaf, mid *x509.Certificate) {
	t.Helper()
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		if block, data = pem.Decode(data); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 2 {
		t.Fatalf("chain of %d certificates", len(certs))
	}
	return certs[0], certs[1]
}
