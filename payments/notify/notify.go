// Package notify is the HTTP edge of payment notifications: it hands a
// provider's request to that provider to verify and decode, applies the
// result, and answers the provider exactly as it expects. The till's
// listener (POST /notify/alipay, POST /notify/wechat) and the relay
// client both go through HandleNotification, so a notification is
// treated the same whichever way it came.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"qrtill/payments"
)

// MaxBody bounds a notification body; real ones are a few KB.
const MaxBody = 1 << 20

// Verifier is the notification side of a provider. payments/alipay and
// payments/wechat implement it beside payments.Provider.
type Verifier interface {
	// Channel names the provider.
	Channel() payments.Channel
	// ParseNotification verifies and decodes a notification request. Any
	// failure (bad signature, wrong merchant, malformed body) is an error
	// and nothing about the request may be trusted.
	ParseNotification(r *http.Request) (payments.Notification, error)
	// Acknowledge writes exactly the answer the provider expects: success
	// if err is nil (the notification was handled and stored), a failure
	// that makes the provider retry otherwise.
	Acknowledge(w http.ResponseWriter, err error)
}

// Apply applies a verified notification and reports whether it was
// stored. The provider is acknowledged only when it returns nil.
type Apply func(ctx context.Context, n payments.Notification) error

// HandleNotification verifies one notification request with its
// provider and applies it.
func HandleNotification(ctx context.Context, v Verifier, r *http.Request, apply Apply) error {
	n, err := v.ParseNotification(r)
	if err != nil {
		return err
	}
	return apply(ctx, n)
}

// Forged reports whether err says the request itself cannot be trusted
// (a bad signature, another merchant's, malformed): sending it again
// cannot help.
func Forged(err error) bool {
	return errors.Is(err, payments.ErrBadSignature) || errors.Is(err, payments.ErrWrongMerchant) ||
		errors.Is(err, payments.ErrMalformed)
}

// Handler serves the till's notification listener: POST /notify/alipay
// and POST /notify/wechat (the DESIGN.md contract). Each request is
// verified by its channel's verifier, handed to apply, and answered as
// the provider expects: success only once apply has stored the result, a
// failure (so the provider retries) otherwise. log gets one line per
// refused notification, never the body; nil discards.
func Handler(verifiers map[payments.Channel]Verifier, apply Apply, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	for ch, v := range verifiers {
		if v == nil {
			continue
		}
		mux.HandleFunc("POST /notify/"+string(ch), func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
			err := HandleNotification(r.Context(), v, r, apply)
			if err != nil {
				log.Warn("notification refused", "channel", ch, "from", clientAddr(r), "err", err)
			}
			v.Acknowledge(w, err)
		})
	}
	return mux
}

func clientAddr(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return r.RemoteAddr[:i]
	}
	return r.RemoteAddr
}
