package relay_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"qrtill/payments/relay"
)

func TestHealthShowsTillsBacklogAndUptimeButNoSecrets(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: -1})
	r.mustPost("shop-1", "alipay", "buyer_logon_id=159****5620")
	r.mustPost("shop-1", "wechat", "{}")
	clock.Advance(90 * time.Second)

	h := r.health()
	if h.Status != "ok" || len(h.Connected) != 0 || h.UptimeSeconds != 90 ||
		h.Backlog["shop-1"] != 2 || h.Backlog["shop-2"] != 0 {
		t.Fatalf("health %+v", h)
	}
	s := r.openStream("shop-1", "tok-1", nil)
	s.next()
	s.next()
	waitFor(t, "shop-1 connected", func() bool { return slices.Equal(r.health().Connected, []string{"shop-1"}) })
	r.ack("shop-1", "tok-1", `{"ids":[1]}`)

	code, body, hdr := r.do(mustRequest(t, http.MethodGet, r.srv.URL+"/healthz"))
	if code != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("healthz: %d %s", code, hdr.Get("Content-Type"))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"status", "connected", "backlog", "uptime_seconds"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("healthz has no %q: %s", k, body)
		}
	}
	if !strings.Contains(body, `"backlog":{"shop-1":1,"shop-2":0}`) {
		t.Errorf("healthz backlog: %s", body)
	}
	for _, secret := range []string{"tok-", "sha256", "5620", "buyer"} {
		if strings.Contains(body, secret) {
			t.Errorf("healthz shows %q: %s", secret, body)
		}
	}
	s.close()
	waitFor(t, "shop-1 disconnected", func() bool { return len(r.health().Connected) == 0 })
}
