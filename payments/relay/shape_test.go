package relay_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// What plainly is not a notification is refused before it is stored, so
// a host that knows a till id cannot fill the disk with junk; WeChat's
// signature probes are refused as a merchant must refuse them.
func TestNotificationsOfTheWrongShapeAreNotStored(t *testing.T) {
	r := newRig(t, relay.Options{})
	withHeader := func(k, v string) http.Header {
		h := wxHeader()
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
		return h
	}
	wx := note("wechat", "x")
	for _, tc := range []struct {
		name, channel, body string
		header              http.Header
		want                int
	}{
		{"alipay: junk", "alipay", strings.Repeat("A", 4000), nil, 400},
		{"alipay: empty", "alipay", "", nil, 400},
		{"alipay: not a form", "alipay", "notify_id=%zz&sign=a&sign_type=RSA2&out_trade_no=T", nil, 400},
		{"alipay: no notify_id", "alipay", "sign=a&sign_type=RSA2&out_trade_no=T", nil, 400},
		{"alipay: no sign", "alipay", "notify_id=1&sign_type=RSA2&out_trade_no=T", nil, 400},
		{"alipay: no sign_type", "alipay", "notify_id=1&sign=a&out_trade_no=T", nil, 400},
		{"alipay: no out_trade_no", "alipay", "notify_id=1&sign=a&sign_type=RSA2", nil, 400},
		{"alipay: empty sign", "alipay", "notify_id=1&sign=&sign_type=RSA2&out_trade_no=T", nil, 400},
		{"wechat: junk", "wechat", strings.Repeat("A", 4000), wxHeader(), 400},
		{"wechat: a JSON string", "wechat", `"resource"`, wxHeader(), 400},
		{"wechat: no resource", "wechat", `{"event_type":"TRANSACTION.SUCCESS"}`, wxHeader(), 400},
		{"wechat: resource not an object", "wechat", `{"event_type":"X","resource":"abc"}`, wxHeader(), 400},
		{"wechat: no event_type", "wechat", `{"resource":{"ciphertext":"x"}}`, wxHeader(), 400},
		{"wechat: no serial", "wechat", wx, withHeader("Wechatpay-Serial", ""), 400},
		{"wechat: no signature", "wechat", wx, withHeader("Wechatpay-Signature", ""), 400},
		{"wechat: no timestamp", "wechat", wx, withHeader("Wechatpay-Timestamp", ""), 400},
		{"wechat: no nonce", "wechat", wx, withHeader("Wechatpay-Nonce", ""), 400},
		{"wechat: timestamp not a number", "wechat", wx, withHeader("Wechatpay-Timestamp", "soon"), 400},
		{"wechat: signature probe", "wechat", wx, withHeader("Wechatpay-Signature", "WECHATPAY/SIGNTEST/c2lnbmF0dXJl"), 401},
	} {
		code, body, _ := r.post("/n/shop-1/"+tc.channel, tc.body, tc.header)
		if code != tc.want {
			t.Errorf("%s: %d %q, want %d", tc.name, code, body, tc.want)
		}
		if tc.channel == "alipay" && body != "fail" || tc.channel == "wechat" && !strings.HasPrefix(body, `{"code":"FAIL"`) {
			t.Errorf("%s: answered %q, not in the provider's words", tc.name, body)
		}
	}
	if n := r.backlog("shop-1"); n != 0 {
		t.Fatalf("%d refused notifications were stored", n)
	}
	// The real shapes still go through, each with the least it must carry.
	r.mustPostRaw("shop-1", "alipay", "notify_id=1&sign=a&sign_type=RSA2&out_trade_no=T")
	r.mustPostRaw("shop-1", "wechat", `{"event_type":"REFUND.SUCCESS","resource":{}}`)
	if n := r.backlog("shop-1"); n != 2 {
		t.Fatalf("backlog %d, want the 2 well-formed ones", n)
	}
}

// Junk cannot flood the log: refusals are logged at most once a second
// (the metrics count each one).
func TestRefusalsAreLoggedAtMostOnceASecond(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	r := newRig(t, relay.Options{Log: lineLog(func(line string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, line)
	})})
	start := time.Now()
	for range 50 {
		r.post("/n/shop-1/alipay", "junk", nil)
	}
	mu.Lock()
	defer mu.Unlock()
	refusals := 0
	for _, l := range lines {
		if strings.Contains(l, "refused") {
			refusals++
		}
	}
	if limit := 1 + int(time.Since(start)/time.Second); refusals == 0 || refusals > limit {
		t.Errorf("%d refusal lines for 50 refusals in %s, want 1 to %d", refusals, time.Since(start), limit)
	}
}
