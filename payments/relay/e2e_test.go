package relay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/payments/relay"
	"qrtill/payments/sandbox"
	"qrtill/pos"
)

// TestSandboxThroughRelayToTill: polling off, so an order turns PAID only
// through sandbox → relay → till, on the direct listener's
// verify-and-apply path (the till's own relay handler,
// app.HandleRelayed); a duplicated notification is applied once; a
// forgery posted to the relay is streamed (the relay is not trusted),
// refused by the till for good, acknowledged, and moves nothing.
func TestSandboxThroughRelayToTill(t *testing.T) {
	r := newRig(t, relay.Options{})
	rig := testkit.New(t, testkit.Options{NoPolling: true, NotifyURL: func(ch payments.Channel) string {
		return r.srv.URL + "/n/shop-1/" + string(ch)
	}})
	var refused sync.Map
	handle := func(ctx context.Context, d relay.Delivered) error {
		err := rig.App.HandleRelayed(ctx, d)
		if errors.Is(err, relay.ErrPermanent) {
			refused.Store(d.ID, err)
		}
		return err
	}
	client := r.runClient("shop-1", "tok-1", handle)
	waitFor(t, "the stream", client.Connected)

	lines := []pos.Line{{SKU: "W", NameEN: "Water", NameZH: "水", UnitPrice: 200, Quantity: 1, Total: 200}}
	for _, ch := range []payments.Channel{payments.WeChat, payments.Alipay} {
		o, err := rig.Till.Checkout(context.Background(), lines, "ann", "t1")
		if err != nil {
			t.Fatal(err)
		}
		if o, err = rig.Till.Pay(context.Background(), o.Number, ch); err != nil {
			t.Fatal(err)
		}
		rig.Gateway.SetFaults(sandbox.Faults{DuplicateNotify: 1})
		if _, err := rig.Gateway.Ledger().Pay(o.Attempts[0].OutTradeNo); err != nil {
			t.Fatal(err)
		}
		waitFor(t, fmt.Sprintf("%s order paid through the relay", ch), func() bool {
			got, _ := rig.Till.Order(context.Background(), o.Number)
			return got.Status == pos.OrderPaid
		})
		waitFor(t, "the duplicate relayed too", func() bool { return r.backlog("shop-1") == 0 && r.health().Connected == 1 })
		evs, _ := rig.Till.Events(context.Background(), o.Number)
		paid := 0
		for _, e := range evs {
			if e.Kind == "paid" {
				paid++
				if e.Source != pos.SourceRelay {
					t.Errorf("paid by %s, want relay", e.Source)
				}
			}
		}
		if paid != 1 {
			t.Errorf("%s: %d paid events for a duplicated notification, want 1", ch, paid)
		}
	}

	o, _ := rig.Till.Checkout(context.Background(), lines, "ann", "t1")
	o, _ = rig.Till.Pay(context.Background(), o.Number, payments.WeChat)
	forged := `{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"ciphertext":"AAAA","nonce":"123456789012","associated_data":"transaction"}}`
	r.post("/n/shop-1/wechat", forged, http.Header{"Wechatpay-Serial": {rig.Gateway.Info.WeChat.PublicKeyID},
		"Wechatpay-Signature": {"Zm9yZ2Vk"}, "Wechatpay-Timestamp": {"1"}, "Wechatpay-Nonce": {"n"}})
	waitFor(t, "the forgery refused and acknowledged", func() bool {
		n := 0
		refused.Range(func(any, any) bool { n++; return true })
		return n >= 1 && r.backlog("shop-1") == 0
	})
	if got, _ := rig.Till.Order(context.Background(), o.Number); got.Status != pos.OrderAwaitingPayment {
		t.Fatalf("a forged notification moved the order to %s", got.Status)
	}
}
