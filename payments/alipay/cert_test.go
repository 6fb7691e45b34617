package alipay_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
)

func certProvider(t *testing.T, info sandbox.Info, alipayCert string) *alipay.Provider {
	t.Helper()
	cfg, _ := sandboxclient.Configs(info)
	cfg.AlipayPublicKeyFile = ""
	cfg.AppCertFile, cfg.AlipayRootCertFile, cfg.AlipayCertFile = info.Alipay.AppCertFile, info.Alipay.AlipayRootCertFile, alipayCert
	p, err := alipay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCertificateMode(t *testing.T) {
	r := newRig(t)
	p := certProvider(t, r.info, r.info.Alipay.AlipayCertFile)
	got := make(chan payments.Notification, 1)
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n, err := p.ParseNotification(req)
		if err == nil {
			got <- n
		}
		p.Acknowledge(w, err)
	}))
	defer notify.Close()
	qr(t, p, "K0000001P01", 880, notify.URL)
	if st := query(t, p, "K0000001P01"); st.State != payments.StateNotFound {
		t.Fatalf("before scan: %s", st.State)
	}
	r.gw.Ledger().Pay("K0000001P01")
	if st := query(t, p, "K0000001P01"); st.State != payments.StatePaid || st.AmountFen != 880 {
		t.Fatalf("paid: %+v", st)
	}
	select {
	case n := <-got:
		if n.Status.AmountFen != 880 || n.Status.State != payments.StatePaid {
			t.Fatalf("notification %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no verified notification in certificate mode")
	}
}

// TestCertificateModeOutdatedAlipayCert: a client that trusts an Alipay
// certificate Alipay no longer signs with fetches the current one by the
// SN answers carry, and trusts it because it chains to the configured
// root; with another root as well, nothing Alipay sends is trusted.
func TestCertificateModeOutdatedAlipayCert(t *testing.T) {
	r := newRig(t)
	other, err := sandbox.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	other.Save(t.TempDir())
	p := certProvider(t, r.info, other.AlipayCertPublicKeyFile)
	if _, err := p.CreateQR(ctx, payments.QRRequest{OutTradeNo: "K0000002P01", AmountFen: 100, Subject: "x", ExpiresAt: time.Now().Add(time.Minute)}); err != nil {
		t.Fatalf("with the right root: %v", err)
	}
	if sn := alipay.CurrentCertSN(p); sn != r.gw.Keys().Certs.AlipaySN {
		t.Fatalf("now trusting %s", sn)
	}
	cfg := sandboxclient.AlipayCertConfig(r.info)
	cfg.AlipayRootCertFile, cfg.AlipayCertFile = other.AlipayRootCertFile, other.AlipayCertPublicKeyFile
	_, err = newProvider(t, cfg).CreateQR(ctx, payments.QRRequest{OutTradeNo: "K0000003P01", AmountFen: 100, Subject: "x", ExpiresAt: time.Now().Add(time.Minute)})
	if !errors.Is(err, payments.ErrBadSignature) {
		t.Fatalf("another root too: %v", err)
	}
}
