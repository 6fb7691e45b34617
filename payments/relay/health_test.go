package relay_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// Anyone gets counts only; a till's token adds that till's details and
// nothing of the others'.
func TestHealthGivesCountsToAnyoneAndDetailsOnlyToTheTill(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: -1, Quota: relay.Quota{Count: 50, Bytes: 1 << 20}})
	r.mustPost("shop-1", "alipay", "buyer_logon_id=159****5620")
	r.mustPost("shop-1", "wechat", "1")
	r.mustPost("shop-2", "wechat", "2")
	clock.Advance(90 * time.Second)

	h := r.health()
	if h.Status != "ok" || h.Tills != 2 || h.Connected != 0 || h.UptimeSeconds != 90 || h.Backlog != 3 || h.Till != nil {
		t.Fatalf("health %+v", h)
	}
	s := r.openStream("shop-1", "tok-1", nil)
	s.next()
	s.next()
	waitFor(t, "shop-1 connected", func() bool { return r.health().Connected == 1 })
	r.ack("shop-1", "tok-1", `{"ids":[1]}`)

	code, body, hdr := r.do(mustRequest(t, http.MethodGet, r.srv.URL+"/healthz"))
	if code != 200 || hdr.Get("Content-Type") != "application/json" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("healthz: %d %s %s", code, hdr.Get("Content-Type"), hdr.Get("Cache-Control"))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"status", "tills", "connected", "backlog", "uptime_seconds"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("healthz has no %q: %s", k, body)
		}
	}
	for _, secret := range []string{"shop-", "tok-", "sha256", "5620", "buyer", `"till"`} {
		if strings.Contains(body, secret) {
			t.Errorf("healthz without a token shows %q: %s", secret, body)
		}
	}

	mine := r.health("shop-1").Till
	want := relay.TillHealth{ID: "shop-1", Connected: true, Backlog: 1, Stored: 2, QuotaCount: 50, QuotaBytes: 1 << 20,
		LastID: 2, AckedThrough: 1}
	if mine == nil || mine.StoredBytes < int64(len(note("alipay", "x"))) {
		t.Fatalf("shop-1's details: %+v", mine)
	}
	want.StoredBytes = mine.StoredBytes
	if *mine != want {
		t.Errorf("shop-1's details:\n got %+v\nwant %+v", *mine, want)
	}
	if other := r.health("shop-2").Till; other == nil || other.ID != "shop-2" || other.Connected || other.Backlog != 1 {
		t.Errorf("shop-2's details: %+v", other)
	}

	req := mustRequest(t, http.MethodGet, r.srv.URL+"/healthz")
	req.Header.Set("Authorization", "Bearer not-a-token")
	if code, body, _ := r.do(req); code != http.StatusUnauthorized || strings.Contains(body, "shop-") {
		t.Errorf("healthz with a wrong token: %d %s, want 401 and no till", code, body)
	}
	s.close()
	waitFor(t, "shop-1 disconnected", func() bool { return r.health().Connected == 0 })
}
