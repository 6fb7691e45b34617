package relay

import (
	"errors"
	"io"
	"net/http"
	"time"

	"qrtill/payments"
)

// receive takes a notification from a provider: POST /n/{till}/{channel}.
// The answer the provider reads as "delivered" is written only after the
// notification is synced to disk.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	till, ch := r.PathValue("till"), payments.Channel(r.PathValue("channel"))
	if !ch.Valid() || !s.auth.known(till) {
		http.NotFound(w, r)
		return
	}
	if !s.limit.allow(sourceIP(r)) {
		w.Header().Set("Retry-After", "1")
		refuse(w, ch, http.StatusTooManyRequests, "too many notifications from this address")
		return
	}
	if r.ContentLength > s.opt.MaxBody {
		refuse(w, ch, http.StatusRequestEntityTooLarge, "notification too large")
		return
	}
	body, err := readBody(w, r, s.opt.MaxBody)
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			refuse(w, ch, http.StatusRequestEntityTooLarge, "notification too large")
			return
		}
		refuse(w, ch, http.StatusBadRequest, "could not read the notification")
		return
	}
	e := Event{Channel: ch, ReceivedAt: s.opt.Clock.Now().UTC(), Header: keepHeaders(r.Header), Body: body}
	if _, err := s.st.add(till, e); err != nil {
		s.opt.Logf("relay: %s notification for %s (%d bytes) not stored, provider told to retry: %v", ch, till, len(body), err)
		refuse(w, ch, http.StatusInternalServerError, "relay could not store the notification")
		return
	}
	s.hub.notify(till)
	accept(w, ch)
}

// accept answers a provider "delivered", in its own words: Alipay wants
// the bare text "success", WeChat Pay a 2xx with no body.
func accept(w http.ResponseWriter, ch payments.Channel) {
	if ch == payments.Alipay {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "success")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers a provider "not delivered, try again": Alipay reads
// anything but "success" as failure (we say "fail"), WeChat Pay wants a
// 4xx/5xx with {"code":"FAIL","message":…}.
func refuse(w http.ResponseWriter, ch payments.Channel, status int, msg string) {
	if ch == payments.Alipay {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, "fail")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, `{"code":"FAIL","message":"`+msg+`"}`)
}

// bodyReadTimeout bounds reading one request body, so a client trickling
// bytes cannot hold a connection for ever (the server has no ReadTimeout:
// it would cut the streams).
const bodyReadTimeout = 10 * time.Second

// readBody reads at most limit bytes of r's body within bodyReadTimeout.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)); err == nil {
		defer rc.SetReadDeadline(time.Time{})
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}
