package relay_test

import (
	"net/http"
	"strings"
	"testing"

	"qrtill/payments/relay"
)

// metricsBody fetches /metrics with auth as the Authorization header.
func (r *rig) metrics(auth string) (int, string) {
	r.t.Helper()
	req := mustRequest(r.t, http.MethodGet, r.srv.URL+"/metrics")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	code, body, _ := r.do(req)
	return code, body
}

// /metrics is not public by default: without a metrics token it does
// not exist, and with one it needs that token.
func TestMetricsAreNeverPublicByDefault(t *testing.T) {
	r := newRig(t, relay.Options{})
	if code, _ := r.metrics(""); code != http.StatusNotFound {
		t.Errorf("/metrics with no token configured: %d, want 404", code)
	}
	if code, _ := r.metrics("Bearer tok-1"); code != http.StatusNotFound {
		t.Errorf("/metrics with a till's token and none configured: %d, want 404", code)
	}
	r2 := newRig(t, relay.Options{MetricsToken: "m-secret"})
	for _, auth := range []string{"", "Bearer tok-1", "Bearer m-secre", "Basic m-secret"} {
		if code, body := r2.metrics(auth); code != http.StatusUnauthorized || strings.Contains(body, "qrtill_") {
			t.Errorf("/metrics with %q: %d, want 401 and no metrics", auth, code)
		}
	}
}

// The figures an operator watches, in the Prometheus text format.
func TestMetricsCountWhatTheRelayDoes(t *testing.T) {
	r := newRig(t, relay.Options{MetricsToken: "m-secret", MaxBody: 2048})
	r.mustPost("shop-1", "alipay", "1")
	r.mustPost("shop-1", "alipay", "2")
	r.mustPost("shop-1", "wechat", "3")
	r.post("/n/shop-1/alipay", "not a notification", nil)
	r.post("/n/shop-1/wechat", note("wechat", "p"), func() http.Header {
		h := wxHeader()
		h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/x")
		return h
	}())
	r.post("/n/shop-1/alipay", strings.Repeat("x", 4096), nil)
	s := r.openStream("shop-1", "tok-1", nil)
	s.next()
	r.ack("shop-1", "tok-1", `{"ids":[1,2]}`)

	code, body := r.metrics("Bearer m-secret")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	for _, want := range []string{
		`qrtill_relay_notifications_accepted_total{channel="alipay"} 2`,
		`qrtill_relay_notifications_accepted_total{channel="wechat"} 1`,
		`qrtill_relay_notifications_refused_total{channel="alipay",reason="bad_shape"} 1`,
		`qrtill_relay_notifications_refused_total{channel="wechat",reason="signature_probe"} 1`,
		`qrtill_relay_notifications_refused_total{channel="alipay",reason="too_large"} 1`,
		`qrtill_relay_backlog{till="shop-1"} 1`,
		`qrtill_relay_backlog{till="shop-2"} 0`,
		`qrtill_relay_stored_notifications{till="shop-1"} 3`,
		`qrtill_relay_stored_bytes{till="shop-1"} `,
		`qrtill_relay_stream_connections 1`,
		`qrtill_relay_ack_latency_seconds_count 2`,
		`qrtill_relay_connections_refused_total 0`,
		`qrtill_relay_store_commits_total `,
		`qrtill_relay_store_fsyncs_total `,
		`qrtill_relay_store_file_bytes `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	for _, secret := range []string{"tok-1", "m-secret", "sha256", "N-1"} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics shows %q", secret)
		}
	}
}
