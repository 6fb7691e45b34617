package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"qrtill/config"
	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
	"qrtill/payments/wechat"
)

// gateway is the payment side of a running till: its providers and, in
// demo mode, the in-process sandbox serving them.
type gateway struct {
	providers map[payments.Channel]payments.Provider
	sandbox   *sandbox.Gateway
	baseURL   string // the sandbox's, in demo mode
	stop      func()
}

// openGateway builds the providers the configuration asks for: in demo
// mode an in-process sandbox (state in DATA/sandbox, wallet page on the
// LAN) and both providers pointed at it; otherwise the live credentials.
func openGateway(ctx context.Context, cfg config.Config, logf func(string, ...any)) (*gateway, error) {
	if !cfg.DemoMode() {
		return liveGateway(cfg)
	}
	ln, base, err := sandbox.Listen(":0")
	if err != nil {
		return nil, err
	}
	state := filepath.Join(cfg.Data, "sandbox")
	g, err := sandbox.New(sandbox.Config{StateDir: state, BaseURL: base, ShopName: cfg.Shop, Logf: logf})
	if err != nil {
		ln.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := sandbox.Serve(sctx, ln, g); err != nil {
			logf("sandbox: %v", err)
		}
	}()
	info, err := sandbox.LoadInfo(state)
	if err == nil {
		// The till itself talks to the sandbox over loopback.
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		local := "http://127.0.0.1:" + port
		info.Alipay.GatewayURL = local + "/gateway.do"
		info.WeChat.BaseURL = local
	}
	gw := &gateway{providers: map[payments.Channel]payments.Provider{}, sandbox: g, baseURL: base,
		stop: func() { cancel(); <-done }}
	if err == nil {
		err = gw.addSandboxProviders(info)
	}
	if err != nil {
		gw.stop()
		return nil, err
	}
	return gw, nil
}

func (gw *gateway) addSandboxProviders(info sandbox.Info) error {
	ap, err := alipay.New(alipay.Config{AppID: info.Alipay.AppID, SellerID: info.Alipay.SellerID,
		AppPrivateKeyFile: info.Alipay.AppPrivateKeyFile, AlipayPublicKeyFile: info.Alipay.AlipayPublicKeyFile,
		GatewayURL: info.Alipay.GatewayURL})
	if err != nil {
		return fmt.Errorf("demo Alipay: %w", err)
	}
	wp, err := wechat.New(wechat.Config{MchID: info.WeChat.MchID, AppID: info.WeChat.AppID, SerialNo: info.WeChat.SerialNo,
		PrivateKeyFile: info.WeChat.PrivateKeyFile, APIv3KeyFile: info.WeChat.APIv3KeyFile,
		PublicKeyID: info.WeChat.PublicKeyID, PublicKeyFile: info.WeChat.PublicKeyFile, BaseURL: info.WeChat.BaseURL})
	if err != nil {
		return fmt.Errorf("demo WeChat Pay: %w", err)
	}
	gw.providers[payments.Alipay] = ap
	gw.providers[payments.WeChat] = wp
	return nil
}

func liveGateway(cfg config.Config) (*gateway, error) {
	gw := &gateway{providers: map[payments.Channel]payments.Provider{}, stop: func() {}}
	if a := cfg.Alipay; a.Configured() {
		p, err := alipay.New(alipay.Config{AppID: a.AppID, SellerID: a.SellerID, AppPrivateKeyFile: a.AppPrivateKeyFile,
			AlipayPublicKeyFile: a.AlipayPublicKeyFile, AppCertFile: a.AppCertFile, AlipayRootCertFile: a.AlipayRootCertFile,
			AlipayCertFile: a.AlipayCertFile, GatewayURL: a.GatewayURL, Prod: a.Prod})
		if err != nil {
			return nil, badInput(err)
		}
		gw.providers[payments.Alipay] = p
	}
	if w := cfg.WeChat; w.Configured() {
		p, err := wechat.New(wechat.Config{MchID: w.MchID, AppID: w.AppID, SerialNo: w.SerialNo, PrivateKeyFile: w.PrivateKeyFile,
			APIv3KeyFile: w.APIv3KeyFile, PublicKeyID: w.PublicKeyID, PublicKeyFile: w.PublicKeyFile, BaseURL: w.BaseURL})
		if err != nil {
			return nil, badInput(err)
		}
		gw.providers[payments.WeChat] = p
	}
	return gw, nil
}
