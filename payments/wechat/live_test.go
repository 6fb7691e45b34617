package wechat_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/wechat"
)

// configured is a provider for the sandbox with its configuration edited.
func configured(t testing.TB, info sandbox.Info, edit func(*wechat.Config)) *wechat.Provider {
	t.Helper()
	_, cfg := sandboxclient.Configs(info)
	cfg.NotifyURL = "http://127.0.0.1:1/notify/wechat"
	edit(&cfg)
	p, err := wechat.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// platformOnly verifies with platform certificates alone; both with the
// public key and platform certificates (the switch).
func platformOnly(c *wechat.Config) {
	c.PlatformCertificates, c.PublicKeyID, c.PublicKeyFile = true, "", ""
}
func both(c *wechat.Config) { c.PlatformCertificates = true }

// setFaults switches the sandbox's faults through its control API.
func (r *rig) setFaults(tb testing.TB, f sandbox.Faults) { tb.Helper(); r.gw.PostFaults(tb, f) }

// sink is a merchant's notify endpoint keeping every delivery as the
// request the till's listener would get, and answering 204.
type sink struct {
	srv *httptest.Server
	got chan *http.Request
}

func newSink(t testing.TB) *sink {
	s := &sink{got: make(chan *http.Request, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := httptest.NewRequest(http.MethodPost, "/notify/wechat", bytes.NewReader(body))
		req.Header = r.Header.Clone()
		s.got <- req
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) url() string { return s.srv.URL + "/notify/wechat" }

// next is the next delivery, whole: it may be parsed more than once.
func (s *sink) next(t testing.TB) func() *http.Request {
	t.Helper()
	select {
	case r := <-s.got:
		body, _ := io.ReadAll(r.Body)
		return func() *http.Request {
			c := httptest.NewRequest(http.MethodPost, "/notify/wechat", bytes.NewReader(body))
			c.Header = r.Header.Clone()
			return c
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
	}
	return nil
}

func qrTo(t *testing.T, p *wechat.Provider, no string, fen int64, notify string) {
	t.Helper()
	if _, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: fen, Subject: "Water",
		ExpiresAt: time.Now().Add(5 * time.Minute), NotifyURL: notify}); err != nil {
		t.Fatalf("CreateQR %s: %v", no, err)
	}
}

func TestPlatformCertificateMerchant(t *testing.T) {
	r := newRig(t)
	s := newSink(t)
	// WeChat Pay has no platform certificate for a public-key merchant:
	// nothing to verify with, and nothing is sent.
	_, err := configured(t, r.info, platformOnly).Query(ctx, "PLAT00000001")
	if !errors.Is(err, payments.ErrUnavailable) || !strings.Contains(err.Error(), "platform certificate") {
		t.Fatalf("no certificates: %v", err)
	}
	r.setFaults(t, sandbox.Faults{WeChatSigning: sandbox.WeChatPlatformCert})
	p := configured(t, r.info, platformOnly)
	qrTo(t, p, "PLAT00000001", 500, s.url())
	if st := state(t, p, "PLAT00000001"); st.State != payments.StateWaitingScan {
		t.Fatalf("query: %+v", st)
	}
	r.gw.Ledger().Pay("PLAT00000001")
	n, err := p.ParseNotification(s.next(t)())
	if err != nil || n.Status.State != payments.StatePaid || n.Status.AmountFen != 500 {
		t.Fatalf("notification signed by the platform certificate: %+v %v", n, err)
	}
	// A public-key merchant cannot verify what the certificate signed.
	if _, err := r.p.Query(ctx, "PLAT00000001"); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("public-key provider, certificate-signed answer: %v", err)
	}
}

func TestSwitchFromCertificatesToPublicKey(t *testing.T) {
	r := newRig(t)
	s := newSink(t)
	r.setFaults(t, sandbox.Faults{WeChatSigning: sandbox.WeChatSwitching})
	p := configured(t, r.info, both)
	certOnly := configured(t, r.info, platformOnly)
	qrTo(t, p, "SWCH00000001", 100, s.url())
	qrTo(t, p, "SWCH00000002", 200, s.url())
	// Notifications come signed either way (the platform certificate
	// first): a merchant set up for the switch takes both; one that knows
	// only one key refuses the other half.
	r.gw.Ledger().Pay("SWCH00000001")
	byCert := s.next(t)
	r.gw.Ledger().Pay("SWCH00000002")
	byKey := s.next(t)
	for i, d := range []func() *http.Request{byCert, byKey} {
		if n, err := p.ParseNotification(d()); err != nil || n.Status.State != payments.StatePaid {
			t.Fatalf("notification %d during the switch: %+v %v", i, n, err)
		}
	}
	if _, err := r.p.ParseNotification(byCert()); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("public-key-only merchant, certificate-signed notification: %v", err)
	}
	if _, err := certOnly.ParseNotification(byKey()); !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("certificate-only merchant, key-signed notification: %v", err)
	}
	if _, err := certOnly.ParseNotification(byCert()); err != nil {
		t.Fatalf("certificate-only merchant, certificate-signed notification: %v", err)
	}
	// Answers come as each merchant's Wechatpay-Serial asks.
	for _, q := range []*wechat.Provider{p, certOnly, r.p} {
		if st := state(t, q, "SWCH00000002"); st.State != payments.StatePaid {
			t.Fatalf("query during the switch: %+v", st)
		}
	}
}

func TestRefundAbnormalIsItsOwnState(t *testing.T) {
	r := newRig(t)
	s := newSink(t)
	p := configured(t, r.info, func(c *wechat.Config) { c.NotifyURL = s.url() })
	qrTo(t, p, "ABNM00000001", 1000, s.url())
	r.gw.Ledger().Pay("ABNM00000001")
	s.next(t) // the payment's notification
	r.setFaults(t, sandbox.Faults{RefundAbnormal: 1, RefundDelayMS: 300})
	res, err := p.Refund(ctx, payments.RefundRequest{OutTradeNo: "ABNM00000001", RefundNo: "ABNM00000001R1", AmountFen: 400, TotalFen: 1000})
	if err != nil || res.State != payments.RefundPending || res.RawCode != "PROCESSING" {
		t.Fatalf("refund: %+v %v", res, err)
	}
	n, err := p.ParseNotification(s.next(t)())
	if err != nil || n.Refund == nil || n.Refund.State != payments.RefundAbnormal || n.Refund.RefundNo != "ABNM00000001R1" ||
		n.Refund.AmountFen != 400 || n.Refund.ProviderRefundNo == "" || n.Status.State != payments.StatePaid {
		t.Fatalf("REFUND.ABNORMAL: %+v %+v %v", n, n.Refund, err)
	}
	q, err := p.QueryRefund(ctx, "ABNM00000001", "ABNM00000001R1")
	if err != nil || q.State != payments.RefundAbnormal || q.RawCode != "ABNORMAL" || q.AmountFen != 400 {
		t.Fatalf("query of the abnormal refund: %+v %v", q, err)
	}
}

func TestRefundAnsweredNot200(t *testing.T) {
	r := newRig(t)
	qrTo(t, r.p, "N200000001", 1000, "http://127.0.0.1:1/notify/wechat")
	r.gw.Ledger().Pay("N200000001")
	refund := func(no string, fen int64) (payments.RefundResult, error) {
		return r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "N200000001", RefundNo: no, AmountFen: fen, TotalFen: 1000})
	}
	// Made, but answered 500 or 400: the query finds it, and it counts.
	for i, status := range []int{0, 400} {
		r.setFaults(t, sandbox.Faults{RefundLostReply: 1, RefundLostReplyStatus: status})
		no := "N200000001R" + string(rune('1'+i))
		if res, err := refund(no, 100); err != nil || res.State != payments.RefundSuccess || res.AmountFen != 100 || res.RefundNo != no {
			t.Fatalf("lost answer %d: %+v %v", status, res, err)
		}
	}
	// Rate limited: not made, retry later with the same number.
	r.setFaults(t, sandbox.Faults{RefundRateLimited: 1})
	_, err := refund("N200000001R3", 100)
	if !errors.Is(err, payments.ErrUnavailable) || errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "same refund number") {
		t.Fatalf("429: %v", err)
	}
	if res, err := refund("N200000001R3", 100); err != nil || res.State != payments.RefundSuccess {
		t.Fatalf("the retry with the same number: %+v %v", res, err)
	}
	if tr, _ := r.gw.Ledger().Get("N200000001"); tr.RefundedFen != 300 || len(tr.Refunds) != 3 {
		t.Fatalf("refunded %d in %d refunds, want 300 in 3", tr.RefundedFen, len(tr.Refunds))
	}
	// A refusal the query cannot contradict stands.
	_, err = refund("N200000001R4", 800)
	wantAPIError(t, err, payments.ErrRejected, "INVALID_REQUEST")
}

func TestExternalRefundSeenByTheProvider(t *testing.T) {
	r := newRig(t)
	s := newSink(t)
	qrTo(t, r.p, "EXTN00000001", 1000, s.url())
	r.gw.Ledger().Pay("EXTN00000001")
	s.next(t)
	resp, err := http.Post(r.info.BaseURL+"/sandbox/trades/EXTN00000001/refund", "application/json", strings.NewReader(`{"amount_fen": 250}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("external refund: %v %v", resp, err)
	}
	resp.Body.Close()
	if st := state(t, r.p, "EXTN00000001"); st.State != payments.StateRefunded || st.RawCode != "REFUND" {
		t.Fatalf("query after the external refund: %+v", st)
	}
	n, err := r.p.ParseNotification(s.next(t)())
	if err != nil || n.Refund == nil || !strings.HasPrefix(n.Refund.RefundNo, "EXT") || n.Refund.AmountFen != 250 ||
		n.Refund.State != payments.RefundSuccess || n.Refund.At.IsZero() || n.Status.OutTradeNo != "EXTN00000001" {
		t.Fatalf("external refund notification: %+v %v", n, err)
	}
	if q, err := r.p.QueryRefund(ctx, "EXTN00000001", n.Refund.RefundNo); err != nil || q.AmountFen != 250 || q.State != payments.RefundSuccess {
		t.Fatalf("query of the external refund: %+v %v", q, err)
	}
}

func TestCloseRefusedWithACodeWeChat(t *testing.T) {
	r := newRig(t)
	qrTo(t, r.p, "CLSR00000001", 100, "http://127.0.0.1:1/notify/wechat")
	r.setFaults(t, sandbox.Faults{CloseRefuseNext: 1, CloseRefuseCode: "TRADE_STATE_ERROR"})
	_, err := r.p.Close(ctx, "CLSR00000001")
	if !errors.Is(err, payments.ErrCloseRefused) || !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("close refused on an open trade: %v", err)
	}
	wantAPIError(t, err, payments.ErrCloseRefused, "TRADE_STATE_ERROR")
	// Refused because the buyer just paid: the confirming query settles it.
	r.setFaults(t, sandbox.Faults{PayBeforeClose: 1, CloseRefuseNext: 1, CloseRefuseCode: "TRADE_STATE_ERROR"})
	if st, err := r.p.Close(ctx, "CLSR00000001"); err != nil || st.State != payments.StatePaid {
		t.Fatalf("close refused, just paid: %+v %v", st, err)
	}
}

func TestLiveNotifyURLMustBeHTTPS(t *testing.T) {
	err := wechat.CheckNotifyURL("http://pos.example/notify/wechat", true)
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("live http notify URL: %v", err)
	}
	for _, c := range []struct {
		url  string
		live bool
	}{{"https://pos.example/notify/wechat", true}, {"http://127.0.0.1:8700/notify/wechat", false}} {
		if err := wechat.CheckNotifyURL(c.url, c.live); err != nil {
			t.Errorf("%s (live %v): %v", c.url, c.live, err)
		}
	}
	cfg := kitLiveConfig()
	cfg.NotifyURL = "http://pos.example/notify/wechat"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "NotifyURL") || !strings.Contains(err.Error(), "https") {
		t.Fatalf("live config with an http notify URL: %v", err)
	}
	cfg.BaseURL = "http://127.0.0.1:8700" // the sandbox may keep http
	if err := cfg.Validate(); err != nil {
		t.Fatalf("sandbox config with an http notify URL: %v", err)
	}
}

func TestPlatformCertificateConfig(t *testing.T) {
	cfg := kitLiveConfig()
	platformOnly(&cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatalf("platform certificates without a public key: %v", err)
	}
	cfg.PublicKeyID = "PUB_KEY_ID_0114232134912410000000000001"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "PublicKeyFile") {
		t.Fatalf("a public key ID without its file: %v", err)
	}
	cfg = kitLiveConfig()
	cfg.PublicKeyID, cfg.PublicKeyFile = "", ""
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "PlatformCertificates") {
		t.Fatalf("neither a public key nor platform certificates: %v", err)
	}
}

// kitLiveConfig is a complete configuration for WeChat Pay itself (no
// files are read by Validate).
func kitLiveConfig() wechat.Config {
	return wechat.Config{MchID: "1900000109", AppID: "wxd678efh567hg6787", SerialNo: "3775B6A45ACD588826D15E583A95F5DD00000001",
		PrivateKeyFile: "/k/apiclient_key.pem", APIv3Key: "qrtillTestAPIv3Key0123456789abcd",
		PublicKeyID: "PUB_KEY_ID_0114232134912410000000000001", PublicKeyFile: "/k/pub.pem",
		NotifyURL: "https://pos.example/notify/wechat"}
}

// clock is a settable test clock.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Unix(0, c.now.Load()) }
func (c *clock) Add(d time.Duration) { c.now.Add(int64(d)) }
func newClock(at time.Time) *clock   { c := &clock{}; c.now.Store(at.UnixNano()); return c }

func TestPlatformCertificatesRefreshed(t *testing.T) {
	r := newRig(t)
	r.setFaults(t, sandbox.Faults{WeChatSigning: sandbox.WeChatPlatformCert})
	var downloads atomic.Int32
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/v3/certificates" {
			downloads.Add(1)
		}
		r.gw.ServeHTTP(w, req)
	}))
	t.Cleanup(counter.Close)
	clk := newClock(time.Now())
	p := configured(t, r.info, func(c *wechat.Config) { platformOnly(c); c.BaseURL, c.Clock = counter.URL, clk.Now })
	qrTo(t, p, "RFSH00000001", 100, "http://127.0.0.1:1/notify/wechat")
	state(t, p, "RFSH00000001")
	if n := downloads.Load(); n != 1 {
		t.Fatalf("%d downloads before the first calls, want 1", n)
	}
	clk.Add(13 * time.Hour)
	state(t, p, "RFSH00000001")
	if n := downloads.Load(); n != 2 {
		t.Fatalf("%d downloads after 13 hours, want 2", n)
	}
	// A notification naming a serial not known: one look for new
	// certificates (the last was over a minute ago), then refused; another
	// at once does not look again.
	clk.Add(2 * time.Minute)
	h, body := http.Header{}, []byte(`{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{}}`)
	for k, v := range map[string]string{"Wechatpay-Serial": "0000000000000000000000000000000000000001", "Wechatpay-Timestamp": "1",
		"Wechatpay-Nonce": "n", "Wechatpay-Signature": "c2ln"} {
		h.Set(k, v)
	}
	for i := 0; i < 2; i++ {
		req := httptest.NewRequest(http.MethodPost, "/notify/wechat", bytes.NewReader(body))
		req.Header = h.Clone()
		if _, err := p.ParseNotification(req); !errors.Is(err, payments.ErrBadSignature) {
			t.Fatalf("unknown serial: %v", err)
		}
	}
	if n := downloads.Load(); n != 3 {
		t.Fatalf("%d downloads after two unknown serials, want 3", n)
	}
}
