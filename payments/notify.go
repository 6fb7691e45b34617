package payments

import (
	"context"
	"net/http"
	"strings"
)

// MaxNotifyBody bounds a notification body; real ones are a few KB.
const MaxNotifyBody = 1 << 20

// NotifyFunc applies a verified notification and reports whether it was
// stored. The provider is acknowledged only when it returns nil.
type NotifyFunc func(ctx context.Context, n Notification) error

// NotifyHandler serves the till's notification listener: POST
// /notify/alipay and POST /notify/wechat (the DESIGN.md contract). Each
// request is verified by its channel's provider, handed to apply, and
// answered exactly as the provider expects: success only once apply has
// stored the result, a failure (so the provider retries) otherwise.
// logf receives one line per rejected notification, never the body.
func NotifyHandler(providers map[Channel]Provider, apply NotifyFunc, logf func(format string, args ...any)) http.Handler {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	mux := http.NewServeMux()
	for ch, p := range providers {
		if p == nil {
			continue
		}
		mux.HandleFunc("POST /notify/"+string(ch), func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, MaxNotifyBody)
			err := HandleNotification(r.Context(), p, r, apply)
			if err != nil {
				logf("notify %s from %s rejected: %v", ch, clientAddr(r), err)
			}
			p.Acknowledge(w, err)
		})
	}
	return mux
}

// HandleNotification verifies one notification request with its provider
// and applies it. The relay client uses it too, so notifications that
// come through the relay take exactly the direct listener's path.
func HandleNotification(ctx context.Context, p Provider, r *http.Request, apply NotifyFunc) error {
	n, err := p.ParseNotification(r)
	if err != nil {
		return err
	}
	return apply(ctx, n)
}

func clientAddr(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return r.RemoteAddr[:i]
	}
	return r.RemoteAddr
}
