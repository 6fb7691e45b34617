package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"qrtill/config"
	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/notify"
	"qrtill/payments/sandbox"
	"qrtill/payments/sandbox/sandboxclient"
	"qrtill/payments/wechat"
)

// The providers verify their own notifications.
var (
	_ notify.Verifier = (*alipay.Provider)(nil)
	_ notify.Verifier = (*wechat.Provider)(nil)
)

// demoSandbox is the in-process sandbox of demo mode: state in
// DATA/sandbox, listening on every address so a phone on the LAN can
// open the wallet page.
type demoSandbox struct {
	gateway *sandbox.Gateway
	ln      net.Listener
	baseURL string // the LAN address the wallet pages use
	served  bool
}

// buildProviders sets the providers the till calls and the verifiers
// that check notifications: the live ones New checked, or in demo mode
// both providers on the sandbox (one the app starts, or opts.Sandbox).
func (a *App) buildProviders(opts Options, live map[payments.Channel]payments.Provider) error {
	a.providers = map[payments.Channel]payments.Provider{}
	a.verifiers = map[payments.Channel]notify.Verifier{}
	if !a.cfg.DemoMode() {
		for ch, p := range live {
			a.add(opts, ch, p, p.(notify.Verifier))
		}
		return nil
	}
	info := opts.Sandbox
	if info == nil {
		log := a.log.With("sys", "sandbox")
		sb, err := startSandbox(a.cfg, log)
		if err != nil {
			return err
		}
		a.sandbox = sb
		local := sb.loopbackInfo()
		info = &local
		log.Info("demo mode: sandbox gateway (wallet pages for phones on this network)", "url", sb.baseURL)
	}
	ap, wp, err := sandboxclient.Providers(*info)
	if err != nil {
		return err
	}
	a.add(opts, payments.Alipay, ap, ap)
	a.add(opts, payments.WeChat, wp, wp)
	return nil
}

func (a *App) add(opts Options, ch payments.Channel, p payments.Provider, v notify.Verifier) {
	if opts.Wrap != nil {
		p = opts.Wrap(p)
	}
	a.providers[ch] = p
	a.verifiers[ch] = v
}

// startSandbox makes the demo sandbox and binds its port; it serves from
// Start on.
func startSandbox(cfg config.Config, log *slog.Logger) (*demoSandbox, error) {
	ln, base, err := sandbox.Listen(":0")
	if err != nil {
		return nil, fmt.Errorf("start the demo sandbox: %w", err)
	}
	g, err := sandbox.New(sandbox.Config{StateDir: filepath.Join(cfg.Data, "sandbox"), BaseURL: base,
		ShopName: cfg.Shop.Name, Log: log})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("start the demo sandbox: %w", err)
	}
	return &demoSandbox{gateway: g, ln: ln, baseURL: base}, nil
}

// loopbackInfo is sandbox.json with the till's own calls kept on
// loopback.
func (s *demoSandbox) loopbackInfo() sandbox.Info {
	info := s.gateway.Info()
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	local := "http://127.0.0.1:" + port
	info.Alipay.GatewayURL = local + "/gateway.do"
	info.WeChat.BaseURL = local
	return info
}

// service serves the sandbox until its context ends.
func (s *demoSandbox) service() Service {
	return Service{Name: "sandbox", Run: func(ctx context.Context) error {
		s.served = true
		return sandbox.Serve(ctx, s.ln, s.gateway)
	}}
}

// release frees a sandbox that never served (Serve frees its own).
func (s *demoSandbox) release() {
	if !s.served {
		s.ln.Close()
		s.gateway.Close()
	}
}
