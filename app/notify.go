package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"qrtill/config"
	"qrtill/payments"
	"qrtill/payments/notify"
	"qrtill/payments/relay"
	"qrtill/pos"
)

// notifyListener is the till's own notification listener: POST
// /notify/{channel}. Its port is bound in New (so its URL is known when
// the till is built) and served from Start, once the till exists.
type notifyListener struct {
	ln     net.Listener
	srv    *http.Server
	base   string // the base URL providers post to; "" = none
	served bool
}

// listen binds the notify listener: in demo mode on loopback (the
// in-process sandbox posts there), live on notify.listen, with
// notify.public_url as the base the providers are given.
func (a *App) listen() error {
	addr, base := a.cfg.Notify.Listen, strings.TrimRight(a.cfg.Notify.PublicURL, "/")
	if a.cfg.DemoMode() && addr == "" {
		addr = "127.0.0.1:0"
	}
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return config.BadInput(fmt.Errorf("cannot listen for notifications on %s: %v; choose another --notify-listen", addr, err))
	}
	if base == "" && a.cfg.DemoMode() {
		base = "http://" + ln.Addr().String()
	}
	log := a.log.With("sys", "notify")
	handler := notify.Handler(a.verifiers, a.apply(pos.SourceNotify), log)
	a.notify = &notifyListener{ln: ln, base: base, srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}}
	log.Info("notification listener", "addr", ln.Addr().String(), "base_url", base)
	return nil
}

// NotifyAddr is the address the notify listener is bound to ("" if none).
func (a *App) NotifyAddr() string {
	if a.notify == nil {
		return ""
	}
	return a.notify.ln.Addr().String()
}

func (l *notifyListener) service() Service {
	return Service{Name: "notify listener",
		Run: func(context.Context) error {
			l.served = true
			if err := l.srv.Serve(l.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		Stop: func(ctx context.Context) error {
			err := l.srv.Shutdown(ctx)
			if err != nil {
				l.srv.Close()
			}
			return err
		}}
}

// release frees a listener that never served.
func (l *notifyListener) release() {
	if !l.served {
		l.ln.Close()
	}
}

// relayClient makes the relay client when a relay is configured; it
// connects from Start on.
func (a *App) relayClient(token string) *relay.Client {
	if a.cfg.Notify.RelayURL == "" {
		return nil
	}
	return relay.NewClient(relay.ClientConfig{URL: a.cfg.Notify.RelayURL, TillID: a.cfg.Notify.RelayTill, Token: token,
		Log: a.log.With("sys", "relay"), Handle: a.HandleRelayed})
}

// The notification path is decided here, not by the till: the relay when
// one is configured, else the direct listener's public base URL.

// notifyURL is the notify URL handed to a provider for a channel.
func (a *App) notifyURL(ch payments.Channel) string {
	switch {
	case a.relay != nil:
		return a.relay.NotifyURL(string(ch))
	case a.notify == nil || a.notify.base == "":
		return ""
	}
	return a.notify.base + "/notify/" + string(ch)
}

// notifying reports whether notifications can reach the till right now,
// so polling can drop to a slow backstop.
func (a *App) notifying() bool {
	if a.relay != nil {
		return a.relay.Connected()
	}
	return a.notify != nil && a.notify.base != ""
}

// apply hands verified notifications to the till, marked with their path.
func (a *App) apply(src pos.EventSource) notify.Apply {
	return func(ctx context.Context, n payments.Notification) error {
		return a.till.HandleNotification(ctx, n, src)
	}
}

// HandleRelayed verifies and applies one notification that came through
// the relay, exactly as the direct listener would. One that can never be
// applied (forged, another merchant's, matching no order) is refused for
// good, so the relay stops sending it; any other failure is not
// acknowledged and comes again.
func (a *App) HandleRelayed(ctx context.Context, d relay.Delivered) error {
	v := a.verifiers[d.Channel]
	if v == nil {
		return relay.Permanent(fmt.Errorf("channel %s is not configured", d.Channel))
	}
	err := notify.HandleNotification(ctx, v, d.Request, a.apply(pos.SourceRelay))
	if notify.Forged(err) || errors.Is(err, pos.ErrMismatch) || errors.Is(err, pos.ErrUnknownTrade) {
		return relay.Permanent(err)
	}
	return err
}
