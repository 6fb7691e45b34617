package alipay_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
)

// setFaults switches the sandbox's faults through its control API.
func (r *rig) setFaults(tb testing.TB, f sandbox.Faults) { tb.Helper(); r.gw.PostFaults(tb, f) }

// certSNRE finds the certificate SN an answer carries.
var certSNRE = regexp.MustCompile(`,"alipay_cert_sn":"[0-9a-f]+"`)

func TestCertModeErrorAnswerWithoutSerial(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "S0000001P01", 100, "") // a precreate nobody scanned: query answers ACQ.TRADE_NOT_EXIST
	info := r.info
	cfg := sandboxclient.AlipayCertConfig(info)
	// A signed business error without alipay_cert_sn: verified with the
	// current certificate and accepted, as gopay and the Java SDK do.
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte { return certSNRE.ReplaceAll(b, nil) })
	st, err := newProvider(t, cfg).Query(ctx, "S0000001P01")
	if err != nil || st.State != payments.StateNotFound {
		t.Fatalf("error answer without a serial: %+v %v", st, err)
	}
	// Another serial is refused: no certificate by that SN can be fetched.
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte {
		return certSNRE.ReplaceAll(b, []byte(`,"alipay_cert_sn":"0123456789abcdef0123456789abcdef"`))
	})
	_, err = newProvider(t, cfg).Query(ctx, "S0000001P01")
	if !errors.Is(err, payments.ErrBadSignature) || !strings.Contains(err.Error(), "0123456789abcdef0123456789abcdef") || !strings.Contains(err.Error(), "AlipayCertFile") {
		t.Fatalf("error answer with another serial: %v", err)
	}
	// Without the serial but tampered: still refused.
	cfg.GatewayURL = r.proxy(t, func(b []byte) []byte {
		return bytes.Replace(certSNRE.ReplaceAll(b, nil), []byte(`交易不存在`), []byte(`交易不存在!`), 1)
	})
	if _, err := newProvider(t, cfg).Query(ctx, "S0000001P01"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("tampered error answer without a serial: %v", err)
	}
}

func TestCertificateRotation(t *testing.T) {
	r := newRig(t)
	certs := r.gw.Keys().Certs
	p := certProvider(t, r.info, r.info.Alipay.AlipayCertFile)
	rc := newReceiver(t, p)
	qr(t, p, "K0000011P01", 880, rc.url())
	qr(t, p, "K0000012P01", 990, rc.url())
	r.setFaults(t, sandbox.Faults{AlipayCertRotated: true})
	// The first notification after the rotation comes before any answer
	// told the provider: it looks for the new certificate and verifies.
	r.control(t, "K0000011P01", "pay")
	if n, err := rc.next(t); err != nil || n.Status.State != payments.StatePaid || n.Status.AmountFen != 880 {
		t.Fatalf("notification after the rotation: %+v %v", n, err)
	}
	if sn := alipay.CurrentCertSN(p); sn != certs.NextAlipaySN {
		t.Fatalf("trusting %s, want the new %s", sn, certs.NextAlipaySN)
	}
	// Answers (success and business errors) verify with the new one.
	if st := query(t, p, "K0000011P01"); st.State != payments.StatePaid {
		t.Fatalf("query after the rotation: %+v", st)
	}
	if st := query(t, p, "K0000012P01"); st.State != payments.StateNotFound {
		t.Fatalf("error answer after the rotation: %+v", st)
	}
	// A fresh provider still configured with the old certificate: its
	// first answer names the new SN; it downloads it and carries on.
	p2 := certProvider(t, r.info, r.info.Alipay.AlipayCertFile)
	if st := query(t, p2, "K0000011P01"); st.State != payments.StatePaid || alipay.CurrentCertSN(p2) != certs.NextAlipaySN {
		t.Fatalf("fresh provider: %+v, trusting %s", st, alipay.CurrentCertSN(p2))
	}
	r.control(t, "K0000012P01", "pay")
	if n, err := rc.next(t); err != nil || n.Status.AmountFen != 990 {
		t.Fatalf("second notification: %+v %v", n, err)
	}
}

// rogueCert is a certificate with the same issuer name and serial as
// real (so the same Alipay SN) but issued by a key of its own, with a
// matching intermediate: only the chain to the root tells them apart.
func rogueCert(t *testing.T, real []byte) []byte {
	t.Helper()
	block, rest := pem.Decode(real)
	leaf, _ := x509.ParseCertificate(block.Bytes)
	block, _ = pem.Decode(rest)
	mid, _ := x509.ParseCertificate(block.Bytes)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	midTmpl := &x509.Certificate{SerialNumber: mid.SerialNumber, Subject: mid.Subject, NotBefore: mid.NotBefore, NotAfter: mid.NotAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	midTmpl.Issuer = mid.Issuer
	rootTmpl := &x509.Certificate{SerialNumber: mid.SerialNumber, Subject: mid.Issuer, NotBefore: mid.NotBefore, NotAfter: mid.NotAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	midDER, err := x509.CreateCertificate(rand.Reader, midTmpl, rootTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: leaf.SerialNumber, Subject: leaf.Subject, NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, midTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: midDER})...)
}

func TestCertificateRotationUntrusted(t *testing.T) {
	r := newRig(t)
	certs := r.gw.Keys().Certs
	qr(t, r.p, "K0000021P01", 100, "")
	r.setFaults(t, sandbox.Faults{AlipayCertRotated: true})
	rogue := rogueCert(t, certs.NextAlipayPEM)
	if sn, _ := goali.GetCertSN(rogue); sn != certs.NextAlipaySN {
		t.Fatalf("the rogue certificate has SN %s, want %s", sn, certs.NextAlipaySN)
	}
	var downloads atomic.Int32
	cfg := sandboxclient.AlipayCertConfig(r.info)
	cfg.GatewayURL = r.proxyWith(t, func(f url.Values) {
		if f.Get("method") == "alipay.open.app.alipaycert.download" {
			downloads.Add(1)
		}
	}, func(b []byte) []byte {
		// Someone on the way hands out their own certificate under the SN.
		if !bytes.Contains(b, []byte("alipay_cert_content")) {
			return b
		}
		var env map[string]json.RawMessage
		json.Unmarshal(b, &env)
		node := `{"alipay_cert_content":"` + base64.StdEncoding.EncodeToString(rogue) + `","code":"10000","msg":"Success"}`
		return []byte(`{"alipay_open_app_alipaycert_download_response":` + node + `,"alipay_cert_sn":` + string(env["alipay_cert_sn"]) + `,"sign":` + string(env["sign"]) + `}`)
	})
	p := newProvider(t, cfg)
	_, err := p.Query(ctx, "K0000021P01")
	if !errors.Is(err, payments.ErrBadSignature) || !strings.Contains(err.Error(), certs.NextAlipaySN) || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("rogue certificate: %v", err)
	}
	if sn := alipay.CurrentCertSN(p); sn != certs.AlipaySN {
		t.Fatalf("trusting %s after a rogue download", sn)
	}
	// Not fetched again at once.
	if _, err := p.Query(ctx, "K0000021P01"); !errors.Is(err, payments.ErrBadSignature) || downloads.Load() != 1 {
		t.Fatalf("second query: %v after %d downloads", err, downloads.Load())
	}
}

func TestCloseRefusedWithACode(t *testing.T) {
	r := newRig(t)
	// Alipay refusing the close of a trade just paid, with a code of the
	// close API's own list: settled by a query, paid.
	qr(t, r.p, "C0000001P01", 500, "")
	r.control(t, "C0000001P01", "scan")
	r.setFaults(t, sandbox.Faults{PayBeforeClose: 1, CloseRefuseNext: 1, CloseRefuseCode: "ACQ.REASON_TRADE_STATUS_INVALID"})
	st, err := r.p.Close(ctx, "C0000001P01")
	if err != nil || st.State != payments.StatePaid || st.AmountFen != 500 {
		t.Fatalf("close refused with REASON_TRADE_STATUS_INVALID: %+v %v", st, err)
	}
	r.setFaults(t, sandbox.Faults{PayBeforeClose: 1, CloseRefuseNext: 1, CloseRefuseCode: "ACQ.REASON_ILLEGAL_STATUS"})
	qr(t, r.p, "C0000002P01", 500, "")
	r.control(t, "C0000002P01", "scan")
	if st, err := r.p.Close(ctx, "C0000002P01"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close refused with REASON_ILLEGAL_STATUS: %+v %v", st, err)
	}
	// A code the provider does not know: not transient, settle by query.
	qr(t, r.p, "C0000003P01", 500, "")
	r.control(t, "C0000003P01", "scan")
	r.setFaults(t, sandbox.Faults{CloseRefuseNext: 1, CloseRefuseCode: "ACQ.SOMETHING_NEW"})
	_, err = r.p.Close(ctx, "C0000003P01")
	if !errors.Is(err, payments.ErrCloseRefused) || !errors.Is(err, payments.ErrRejected) || errors.Is(err, payments.ErrUnavailable) ||
		!strings.Contains(err.Error(), "ACQ.SOMETHING_NEW") {
		t.Fatalf("unknown close refusal: %v", err)
	}
	if st := query(t, r.p, "C0000003P01"); st.State != payments.StateScanned {
		t.Fatalf("after the refusal: %+v", st)
	}
}

func TestRefundFundChangeN(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "F0000001P01", 1000, "")
	r.control(t, "F0000001P01", "pay")
	r.setFaults(t, sandbox.Faults{RefundProcessing: 1, RefundDelayMS: 500})
	req := payments.RefundRequest{OutTradeNo: "F0000001P01", RefundNo: "F0000001R01", AmountFen: 400, TotalFen: 1000}
	// A first refund that moved no money yet is not reported done.
	res, err := r.p.Refund(ctx, req)
	if err != nil || res.State != payments.RefundPending || res.RawCode != "fund_change:N,unconfirmed" {
		t.Fatalf("first refund with fund_change N: %+v %v", res, err)
	}
	// Once Alipay carried it out, the query says so, and a repeat of the
	// same number is confirmed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		q, err := r.p.QueryRefund(ctx, "F0000001P01", "F0000001R01")
		if err == nil && q.State == payments.RefundSuccess && q.AmountFen == 400 {
			break
		}
		if !errors.Is(err, payments.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("refund query: %+v %v", q, err)
		}
		time.Sleep(time.Millisecond)
	}
	if res, err := r.p.Refund(ctx, req); err != nil || res.State != payments.RefundSuccess || res.RawCode != "fund_change:N,confirmed" {
		t.Fatalf("repeat once done: %+v %v", res, err)
	}
	// An answer lost on the way: outcome unknown, and the query finds it.
	r.setFaults(t, sandbox.Faults{RefundLostReply: 1})
	req.RefundNo = "F0000001R02"
	if _, err := r.p.Refund(ctx, req); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("lost answer: %v", err)
	}
	if q, err := r.p.QueryRefund(ctx, "F0000001P01", "F0000001R02"); err != nil || q.State != payments.RefundSuccess {
		t.Fatalf("the refund behind the lost answer: %+v %v", q, err)
	}
}

func TestSubjectMadeFitForAlipay(t *testing.T) {
	r := newRig(t)
	long := strings.Repeat("水", 300)
	for no, s := range map[string]string{"J0000001P01": "Tea / Coffee = 2 & more", "J0000002P01": long, "J0000003P01": "///"} {
		if _, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 100, Subject: s, ExpiresAt: time.Now().Add(time.Minute)}); err != nil {
			t.Fatalf("subject %q: %v", s, err)
		}
		got := r.trade(t, no).Subject
		if strings.ContainsAny(got, "/=&") || utf8.RuneCountInString(got) > 256 || got == "" {
			t.Fatalf("subject %q sent as %q", s, got)
		}
	}
	if got := r.trade(t, "J0000001P01").Subject; got != "Tea Coffee 2 more" {
		t.Fatalf("subject sent as %q", got)
	}
	if got := r.trade(t, "J0000003P01").Subject; got != "J0000003P01" {
		t.Fatalf("empty subject sent as %q", got)
	}
	if _, err := r.p.PayByCode(ctx, payments.CodePayRequest{OutTradeNo: "J0000004P01", AuthCode: sandbox.AlipayCodePaid + "1234567890123456",
		AmountFen: 100, Subject: "a&b"}); err != nil || r.trade(t, "J0000004P01").Subject != "a b" {
		t.Fatalf("code payment subject: %v", err)
	}
}

func TestExternalRefundNotified(t *testing.T) {
	r := newRig(t)
	rc := newReceiver(t, r.p)
	qr(t, r.p, "E0000001P01", 1000, rc.url())
	r.control(t, "E0000001P01", "pay")
	if n, err := rc.next(t); err != nil || n.Refund != nil {
		t.Fatalf("payment notification: %+v %v", n, err)
	}
	refund := func(fen int64) sandbox.Trade {
		resp, err := http.Post(r.info.BaseURL+"/sandbox/trades/E0000001P01/refund", "application/json", strings.NewReader(`{"amount_fen":`+itoa(fen)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var tr sandbox.Trade
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != 200 {
			t.Fatalf("external refund: HTTP %d %v", resp.StatusCode, err)
		}
		return tr
	}
	// Made on the merchant platform: the till never asked for it.
	tr := refund(300)
	n, err := rc.next(t)
	if err != nil || n.Refund == nil || n.Refund.RefundNo != tr.Refunds[0].RefundNo || n.Refund.RefundedFen != 300 ||
		n.Refund.State != payments.RefundSuccess || n.Refund.At.IsZero() || n.Status.State != payments.StatePaid || n.Status.RefundedFen != 300 {
		t.Fatalf("external refund notification: %+v %+v %v", n, n.Refund, err)
	}
	if q, err := r.p.QueryRefund(ctx, "E0000001P01", n.Refund.RefundNo); err != nil || q.AmountFen != 300 {
		t.Fatalf("query of the external refund: %+v %v", q, err)
	}
	// The rest: the trade closes as refunded, in the query too.
	refund(700)
	if n, err := rc.next(t); err != nil || n.Status.State != payments.StateRefunded || n.Refund.RefundedFen != 1000 {
		t.Fatalf("full external refund notification: %+v %v", n, err)
	}
	if st := query(t, r.p, "E0000001P01"); st.State != payments.StateRefunded {
		t.Fatalf("query after the external refunds: %+v", st)
	}
}

func TestTradeFinished(t *testing.T) {
	r := newRig(t)
	r.setFaults(t, sandbox.Faults{AlipayFinished: 1})
	qr(t, r.p, "D0000001P01", 100, "")
	r.control(t, "D0000001P01", "pay")
	if st := query(t, r.p, "D0000001P01"); st.State != payments.StatePaid || st.RawCode != "TRADE_FINISHED" {
		t.Fatalf("finished trade: %+v", st)
	}
	_, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "D0000001P01", RefundNo: "D0000001R01", AmountFen: 100, TotalFen: 100})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.TRADE_HAS_FINISHED") {
		t.Fatalf("refund of a finished trade: %v", err)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
