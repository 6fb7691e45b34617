package sandbox

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

// page fetches a wallet URL (following redirects) and returns status and
// body.
func page(t *testing.T, method, u string) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = http.PostForm(u, url.Values{})
	} else {
		resp, err = http.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestWalletPageShows(t *testing.T) {
	g, srv := newTestGateway(t)
	g.cfg.ShopName = "Corner Shop"
	g.Ledger().Create(payments.Alipay, KindQR, "A1", 1250, "Water <cold>", "", time.Time{})
	g.Ledger().Create(payments.WeChat, KindQR, "W1", 5, "Gum", "", time.Time{})
	if got := g.QRContent("A1"); got != srv.URL+"/pay/A1" {
		t.Fatalf("QR content %s", got)
	}
	code, body := page(t, "GET", g.QRContent("A1"))
	for _, want := range []string{"¥12.50", "Water &lt;cold&gt;", "Corner Shop", "支付宝 Alipay", "#1677ff",
		`name="viewport"`, `action="/pay/A1/confirm"`, `action="/pay/A1/cancel"`, "Pay ¥12.50", "Cancel", "Waiting for payment"} {
		if !strings.Contains(body, want) {
			t.Errorf("Alipay page lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, bad := range []string{"<script", "src=", "http://", "https://", "<cold>"} {
		if strings.Contains(body, bad) {
			t.Errorf("page holds %q (no external assets, no JS, escaped text)", bad)
		}
	}
	if tr, _ := g.Ledger().Get("A1"); tr.Status != StatusScanned {
		t.Fatalf("opening the page did not scan: %s", tr.Status)
	}
	_, body = page(t, "GET", g.QRContent("W1"))
	for _, want := range []string{"¥0.05", "微信支付 WeChat Pay", "#07c160"} {
		if !strings.Contains(body, want) {
			t.Errorf("WeChat page lacks %q", want)
		}
	}
}

func TestWalletButtons(t *testing.T) {
	g, srv := newTestGateway(t)
	l := g.Ledger()
	l.Create(payments.Alipay, KindQR, "A1", 1250, "Water", "", time.Time{})
	l.Create(payments.WeChat, KindQR, "W1", 300, "Tea", "", time.Time{})

	// Pay: redirected back, paid, buttons gone.
	code, body := page(t, "POST", srv.URL+"/pay/A1/confirm")
	if tr, _ := l.Get("A1"); code != 200 || tr.Status != StatusPaid {
		t.Fatalf("Pay button: %d %s", code, tr.Status)
	}
	if !strings.Contains(body, "Payment done") || !strings.Contains(body, "支付成功 Paid") || strings.Contains(body, "/confirm") {
		t.Fatalf("page after paying:\n%s", body)
	}
	// Cancel after paying: too late.
	if _, body := page(t, "POST", srv.URL+"/pay/A1/cancel"); !strings.Contains(body, "Already paid") {
		t.Fatalf("cancel after paying:\n%s", body)
	}
	// Cancel: closed; paying then is refused.
	if _, body := page(t, "POST", srv.URL+"/pay/W1/cancel"); !strings.Contains(body, "Payment cancelled") || !strings.Contains(body, "已关闭 Closed") {
		t.Fatalf("Cancel button:\n%s", body)
	}
	if tr, _ := l.Get("W1"); tr.Status != StatusClosed {
		t.Fatalf("cancel: %s", tr.Status)
	}
	if _, body := page(t, "POST", srv.URL+"/pay/W1/confirm"); !strings.Contains(body, "can no longer be paid") {
		t.Fatalf("pay a closed trade:\n%s", body)
	}

	// The buttons answer 303 so a reload does not press them again.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	l.Create(payments.WeChat, KindQR, "W2", 300, "Tea", "", time.Time{})
	resp, err := client.PostForm(srv.URL+"/pay/W2/confirm", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/pay/W2?result=paid" {
		t.Fatalf("confirm answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestWalletUnknownTrade(t *testing.T) {
	_, srv := newTestGateway(t)
	for _, c := range []struct{ method, path string }{{"GET", "/pay/NOPE"}, {"POST", "/pay/NOPE/confirm"}, {"POST", "/pay/NOPE/cancel"}} {
		code, body := page(t, c.method, srv.URL+c.path)
		if code != 404 || !strings.Contains(body, "No such payment") || !strings.Contains(body, "NOPE") {
			t.Errorf("%s %s: %d", c.method, c.path, code)
		}
	}
}
