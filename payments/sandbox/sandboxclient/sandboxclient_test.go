package sandboxclient_test

import (
	"context"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/sandbox/sandboxtest"
)

// The providers built from sandbox.json talk to that sandbox: a QR asked
// of each lands in its ledger.
func TestProvidersTalkToTheSandbox(t *testing.T) {
	gw := sandboxtest.Start(t)
	ap, wp, err := sandboxclient.Providers(gw.Info)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []payments.Provider{ap, wp} {
		no := "SBC" + string(rune('1'+i)) + "000000000000"
		qr, err := p.CreateQR(context.Background(), payments.QRRequest{OutTradeNo: no, AmountFen: 150, Subject: "test",
			ExpiresAt: time.Now().Add(time.Minute), NotifyURL: "http://127.0.0.1:1/notify/" + string(p.Channel())})
		if err != nil || qr.Content != gw.QRContent(no) {
			t.Fatalf("%s: QR %q, %v; want %q", p.Channel(), qr.Content, err, gw.QRContent(no))
		}
		if tr, err := gw.Ledger().Get(no); err != nil || tr.Channel != p.Channel() || tr.AmountFen != 150 {
			t.Fatalf("%s: sandbox trade %+v, %v", p.Channel(), tr, err)
		}
	}
	a, w := sandboxclient.Configs(gw.Info)
	if a.AppID != gw.Info.Alipay.AppID || a.GatewayURL != gw.Info.Alipay.GatewayURL || w.MchID != gw.Info.WeChat.MchID || w.BaseURL != gw.Info.WeChat.BaseURL {
		t.Fatalf("configs %+v %+v", a, w)
	}
}
