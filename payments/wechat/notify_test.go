package wechat

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
)

func TestParseNotificationValid(t *testing.T) {
	p := kitProvider(t)
	key := platformKey(t)
	n := notice{ID: "EV-2025010200001", Resource: payResource("QT20250102000042", 1250, 1150)}
	got, err := p.ParseNotification(n.request(t, key))
	if err != nil {
		t.Fatalf("valid notification refused: %v", err)
	}
	want := payments.Notification{
		Channel:    payments.WeChat,
		ID:         "EV-2025010200001",
		ReceivedAt: kitTime,
		Status: payments.TradeStatus{
			OutTradeNo: "QT20250102000042", State: payments.StatePaid,
			ProviderTradeNo: "4200000000202501021234567890", Buyer: "oUpF****eS6o",
			AmountFen: 1250, PaidFen: 1150, PaidAt: kitTime, RawCode: "SUCCESS",
		},
	}
	if !got.ReceivedAt.Equal(want.ReceivedAt) || !got.Status.PaidAt.Equal(want.Status.PaidAt) {
		t.Fatalf("times: got %v / %v", got.ReceivedAt, got.Status.PaidAt)
	}
	got.ReceivedAt, got.Status.PaidAt = want.ReceivedAt, want.Status.PaidAt
	if got != want {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// A retry is the same event: same ID, freshly signed.
	n.Timestamp, n.SigNonce = "1735801460", "ANOTHERNONCEANOTHERNONCEANOTHER1"
	again, err := p.ParseNotification(n.request(t, key))
	if err != nil || again.ID != got.ID {
		t.Fatalf("retry: %v, id %q", err, again.ID)
	}
}

func TestParseNotificationWrongAmountReturnedFaithfully(t *testing.T) {
	p := kitProvider(t)
	n := notice{ID: "EV-amount", Resource: payResource("QT20250102000043", 1, 1)}
	got, err := p.ParseNotification(n.request(t, platformKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.AmountFen != 1 || got.Status.PaidFen != 1 {
		t.Fatalf("amounts %d/%d, want the notified 1/1", got.Status.AmountFen, got.Status.PaidFen)
	}
}

func TestParseNotificationRefused(t *testing.T) {
	p := kitProvider(t)
	key := platformKey(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() notice {
		return notice{ID: "EV-1", Resource: payResource("QT20250102000044", 1250, 1250)}
	}
	otherMerchant := payResource("QT20250102000044", 1250, 1250)
	otherMerchant["mchid"] = "1900000999"
	otherApp := payResource("QT20250102000044", 1250, 1250)
	otherApp["appid"] = "wx0000000000000000"
	notPaid := payResource("QT20250102000044", 1250, 0)
	notPaid["trade_state"] = "NOTPAY"

	cases := []struct {
		name string
		req  func() *http.Request
		want error
	}{
		{"forged signature (other key)", func() *http.Request { return valid().request(t, otherKey) }, payments.ErrBadSignature},
		{"SIGNTEST probe", func() *http.Request {
			r := valid().request(t, key)
			r.Header.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+r.Header.Get("Wechatpay-Signature"))
			return r
		}, payments.ErrBadSignature},
		{"body changed after signing", func() *http.Request {
			h, body := valid().encode(t, key)
			return notifyRequest(h, []byte(strings.Replace(string(body), "EV-1", "EV-2", 1)))
		}, payments.ErrBadSignature},
		{"timestamp changed after signing", func() *http.Request {
			r := valid().request(t, key)
			r.Header.Set("Wechatpay-Timestamp", "1735801446")
			return r
		}, payments.ErrBadSignature},
		{"unknown serial", func() *http.Request { n := valid(); n.Serial = "PUB_KEY_ID_9999"; return n.request(t, key) }, payments.ErrBadSignature},
		{"platform cert serial", func() *http.Request {
			n := valid()
			n.Serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
			return n.request(t, key)
		}, payments.ErrBadSignature},
		{"unsigned", func() *http.Request {
			_, body := valid().encode(t, key)
			return notifyRequest(http.Header{}, body)
		}, payments.ErrBadSignature},
		{"wrong mchid", func() *http.Request { n := valid(); n.Resource = otherMerchant; return n.request(t, key) }, payments.ErrWrongMerchant},
		{"wrong appid", func() *http.Request { n := valid(); n.Resource = otherApp; return n.request(t, key) }, payments.ErrWrongMerchant},
		{"16-byte nonce", func() *http.Request { n := valid(); n.Nonce = "sixteenbytenonce"; return n.request(t, key) }, payments.ErrMalformed},
		{"wrong APIv3 key", func() *http.Request {
			n := valid()
			n.Key = "anotherAPIv3KeyXXXXXXXXXXXXXXXXX"
			return n.request(t, key)
		}, payments.ErrMalformed},
		{"wrong associated data", func() *http.Request {
			h, body := valid().encode(t, key)
			// Re-sign a body whose AAD no longer matches the ciphertext.
			b := strings.Replace(string(body), `"associated_data":"transaction"`, `"associated_data":"refund"`, 1)
			h.Set("Wechatpay-Signature", signMessage(t, key, h.Get("Wechatpay-Timestamp")+"\n"+h.Get("Wechatpay-Nonce")+"\n"+b+"\n"))
			return notifyRequest(h, []byte(b))
		}, payments.ErrMalformed},
		{"trade_state not SUCCESS", func() *http.Request { n := valid(); n.Resource = notPaid; return n.request(t, key) }, payments.ErrMalformed},
		{"no event id", func() *http.Request { n := valid(); n.ID = ""; return n.request(t, key) }, payments.ErrMalformed},
		{"unknown event", func() *http.Request { n := valid(); n.Event = "MCHTRANSFER.BILL.FINISHED"; return n.request(t, key) }, payments.ErrMalformed},
		{"not JSON", func() *http.Request {
			h, _ := valid().encode(t, key)
			return notifyRequest(h, []byte("not json"))
		}, payments.ErrMalformed},
		{"no body", func() *http.Request {
			r := valid().request(t, key)
			r.Body = nil
			return r
		}, payments.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.ParseNotification(tc.req())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), kitAPIv3Key) || strings.Contains(err.Error(), "ciphertext") {
				t.Fatalf("error text leaks the notification: %v", err)
			}
		})
	}
}

func TestParseNotificationRefund(t *testing.T) {
	p := kitProvider(t)
	res := map[string]any{
		"mchid": kitMchID, "out_trade_no": "QT20250102000045", "transaction_id": "4200000000202501021234567891",
		"out_refund_no": "QT20250102000045R1", "refund_id": "50000000382019052709732678859",
		"refund_status": "SUCCESS", "success_time": kitTime.Format(time.RFC3339),
		"user_received_account": "支付用户零钱",
		"amount":                map[string]any{"total": 1250, "refund": 250, "payer_total": 1250, "payer_refund": 250},
	}
	n := notice{ID: "EV-refund", Event: "REFUND.SUCCESS", Resource: res, AAD: "refund"}
	got, err := p.ParseNotification(n.request(t, platformKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != payments.StateRefunded || got.Status.RefundedFen != 250 || got.Status.AmountFen != 1250 {
		t.Fatalf("refund notification: %+v", got.Status)
	}
	res["refund_status"] = "ABNORMAL"
	n = notice{ID: "EV-refund-2", Event: "REFUND.ABNORMAL", Resource: res, AAD: "refund"}
	got, err = p.ParseNotification(n.request(t, platformKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != payments.StatePaid || got.Status.RefundedFen != 0 {
		t.Fatalf("abnormal refund must leave the trade paid: %+v", got.Status)
	}
	if r := got.Refund; r == nil || r.State != payments.RefundAbnormal || r.RefundNo != "QT20250102000045R1" || r.AmountFen != 250 ||
		r.ProviderRefundNo != "50000000382019052709732678859" {
		t.Fatalf("abnormal refund part: %+v", got.Refund)
	}
	// An event that says one thing and a refund_status that says another.
	n = notice{ID: "EV-refund-4", Event: "REFUND.SUCCESS", Resource: res, AAD: "refund"}
	if _, err := p.ParseNotification(n.request(t, platformKey(t))); !errors.Is(err, payments.ErrMalformed) {
		t.Fatalf("REFUND.SUCCESS with refund_status ABNORMAL: %v", err)
	}
	res["mchid"] = "1900000999"
	n = notice{ID: "EV-refund-3", Event: "REFUND.SUCCESS", Resource: res, AAD: "refund"}
	if _, err := p.ParseNotification(n.request(t, platformKey(t))); !errors.Is(err, payments.ErrWrongMerchant) {
		t.Fatalf("refund for another merchant: %v", err)
	}
}

func TestAcknowledge(t *testing.T) {
	p := kitProvider(t)
	cases := []struct {
		err    error
		status int
		body   string
	}{
		{nil, http.StatusNoContent, ""},
		{payments.ErrBadSignature, http.StatusBadRequest, `{"code":"FAIL","message":"signature verification failed"}`},
		{payments.ErrWrongMerchant, http.StatusBadRequest, `{"code":"FAIL","message":"wrong merchant"}`},
		{payments.ErrMalformed, http.StatusBadRequest, `{"code":"FAIL","message":"malformed notification"}`},
		{errors.New("disk full: secret " + kitAPIv3Key), http.StatusInternalServerError, `{"code":"FAIL","message":"internal error"}`},
		// The till refuses a correctly signed notification for the wrong
		// amount: a refusal naming the reason, not a server failure.
		{fmt.Errorf("apply: amount ¥1.00, attempt is ¥2.00: %w", payments.ErrNotificationRefused), http.StatusBadRequest,
			`{"code":"FAIL","message":"the trade or its amount does not match the merchant's order"}`},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		p.Acknowledge(w, tc.err)
		res := w.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || string(body) != tc.body {
			t.Errorf("Acknowledge(%v) = %d %q, want %d %q", tc.err, res.StatusCode, body, tc.status, tc.body)
		}
		if tc.err != nil && res.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Acknowledge(%v): Content-Type %q", tc.err, res.Header.Get("Content-Type"))
		}
	}
}

func BenchmarkVerifyNotification(b *testing.B) {
	p := kitProvider(b)
	h, body := notice{ID: "EV-bench", Resource: payResource("QT20250102000046", 1250, 1250)}.encode(b, platformKey(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.ParseNotification(notifyRequest(h, body)); err != nil {
			b.Fatal(err)
		}
	}
}
