// Package tilltest builds a whole till for tests: a bbolt order book, the
// sandbox gateway on loopback, the real gopay-based providers configured
// from its sandbox.json, the notify listener, and the till service.
package tilltest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"qrtill/assets"
	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxtest"
	"qrtill/payments/wechat"
	"qrtill/pos"
	"qrtill/storage"
)

// Options vary the till.
type Options struct {
	// Notifying: notifications reach the till; otherwise it polls alone
	// (the providers are given a notify URL nobody listens on).
	Notifying bool
	Poll      pos.PollPolicy                            // zero = the till's default
	Window    time.Duration                             // payment window; zero = default
	Wrap      func(payments.Provider) payments.Provider // e.g. to count queries
	// NotifyURL overrides the notify URL handed to providers (a relay).
	NotifyURL func(payments.Channel) string
	// NoPolling: the till learns only through notifications.
	NoPolling bool
}

// Rig is a running till and the sandbox behind it.
type Rig struct {
	Gateway   *sandboxtest.Gateway
	Providers map[payments.Channel]payments.Provider
	Till      *pos.Till
	Store     *storage.DB
	Catalog   *pos.Catalog
}

// New starts a till for one test; everything stops when the test ends.
func New(tb testing.TB, opt Options) *Rig {
	tb.Helper()
	gw := sandboxtest.Start(tb)
	info := gw.Info
	ap, err := alipay.New(alipay.Config{AppID: info.Alipay.AppID, SellerID: info.Alipay.SellerID, AppPrivateKeyFile: info.Alipay.AppPrivateKeyFile,
		AlipayPublicKeyFile: info.Alipay.AlipayPublicKeyFile, GatewayURL: info.Alipay.GatewayURL})
	if err != nil {
		tb.Fatal(err)
	}
	wp, err := wechat.New(wechat.Config{MchID: info.WeChat.MchID, AppID: info.WeChat.AppID, SerialNo: info.WeChat.SerialNo,
		PrivateKeyFile: info.WeChat.PrivateKeyFile, APIv3KeyFile: info.WeChat.APIv3KeyFile, PublicKeyID: info.WeChat.PublicKeyID,
		PublicKeyFile: info.WeChat.PublicKeyFile, BaseURL: info.WeChat.BaseURL})
	if err != nil {
		tb.Fatal(err)
	}
	providers := map[payments.Channel]payments.Provider{payments.Alipay: ap, payments.WeChat: wp}
	if opt.Wrap != nil {
		for ch, p := range providers {
			providers[ch] = opt.Wrap(p)
		}
	}
	db, err := storage.Open(filepath.Join(tb.TempDir(), "orders.db"), storage.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	var till *pos.Till
	notify := httptest.NewServer(payments.NotifyHandler(providers, func(ctx context.Context, n payments.Notification) error {
		return till.HandleNotification(ctx, n, pos.SourceNotify)
	}, tb.Logf))
	numbers := pos.NewOrderNumberGenerator(nil, nil)
	till, err = pos.NewTill(pos.TillConfig{Store: db, Providers: providers, NextNumber: numbers.Next, ShopName: "Test shop",
		Poll: opt.Poll, PaymentWindow: opt.Window, Logf: tb.Logf, NoPolling: opt.NoPolling,
		NotifyURL: func(ch payments.Channel) string {
			if opt.NotifyURL != nil {
				return opt.NotifyURL(ch)
			}
			if !opt.Notifying {
				return "http://127.0.0.1:1/notify/" + string(ch) // nobody listens: polling alone
			}
			return notify.URL + "/notify/" + string(ch)
		},
		Notifying: func() bool { return opt.Notifying }})
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := pos.LoadCatalogCSV("demo", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { till.Close(); notify.Close(); db.Close() })
	return &Rig{Gateway: gw, Providers: providers, Till: till, Store: db, Catalog: cat}
}

// LastTrade waits for the sandbox's newest trade.
func (r *Rig) LastTrade(tb testing.TB) sandbox.Trade {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if list := r.Gateway.Ledger().List(); len(list) > 0 {
			return list[0]
		}
		if time.Now().After(deadline) {
			tb.Fatal("no trade at the sandbox")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
