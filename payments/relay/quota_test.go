package relay_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"qrtill/payments/relay"
)

// A till's quota bounds what one host can make the relay store for it:
// past it the provider is told 507 (and retries later); the other
// tills are not affected; room comes back as the till's notifications
// are acknowledged and pruned; the count survives a restart.
func TestAFullTillQuotaIsAnsweredWith507(t *testing.T) {
	clock := newFakeClock()
	opt := relay.Options{Clock: clock, PruneEvery: -1, Quota: relay.Quota{Count: 3, Bytes: 1 << 20}}
	r := newRig(t, opt)
	for i := range 3 {
		r.mustPost("shop-1", "alipay", string(rune('a'+i)))
	}
	code, body, _ := r.post("/n/shop-1/alipay", note("alipay", "d"), nil)
	if code != http.StatusInsufficientStorage || body != "fail" {
		t.Errorf("alipay over the quota: %d %q, want 507 fail", code, body)
	}
	code, body, _ = r.post("/n/shop-1/wechat", note("wechat", "d"), wxHeader())
	if code != http.StatusInsufficientStorage || !strings.HasPrefix(body, `{"code":"FAIL"`) {
		t.Errorf("wechat over the quota: %d %q, want 507 FAIL", code, body)
	}
	r.mustPost("shop-2", "alipay", "other till") // its own quota

	r.stop()
	r = newRig(t, opt, r.dir)
	if code, _, _ := r.post("/n/shop-1/alipay", note("alipay", "d"), nil); code != http.StatusInsufficientStorage {
		t.Fatalf("after a restart: %d, want the quota still full", code)
	}
	if h := r.health("shop-1").Till; h.Stored != 3 || h.Backlog != 3 {
		t.Fatalf("after a restart: %+v", h)
	}
	// Acknowledged ones leave with the acknowledged retention.
	r.ack("shop-1", "tok-1", `{"ids":[1,2]}`)
	clock.Advance(2 * time.Hour)
	if _, err := r.s.Prune(); err != nil {
		t.Fatal(err)
	}
	r.mustPost("shop-1", "alipay", "d")
	r.mustPost("shop-1", "alipay", "e")
	if code, _, _ := r.post("/n/shop-1/alipay", note("alipay", "f"), nil); code != http.StatusInsufficientStorage {
		t.Errorf("full again: %d, want 507", code)
	}
}

func TestTheQuotaCountsBytesToo(t *testing.T) {
	// Each stored value is the body (~70 bytes) plus ~70 of headers.
	r := newRig(t, relay.Options{Quota: relay.Quota{Count: 100, Bytes: 350}})
	r.mustPost("shop-1", "alipay", "x")
	r.mustPost("shop-1", "alipay", "y")
	if code, _, _ := r.post("/n/shop-1/alipay", note("alipay", "z"), nil); code != http.StatusInsufficientStorage {
		t.Errorf("third over the byte quota: %d, want 507", code)
	}
	h := r.health("shop-1").Till
	if h.Stored != 2 || h.StoredBytes <= int64(2*len(note("alipay", "x"))) || h.StoredBytes > 350 {
		t.Errorf("stored %d, %d bytes", h.Stored, h.StoredBytes)
	}
}
