package relay

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"qrtill/payments"
)

// refusal is why a notification is not taken: the status the provider
// gets, the metric's reason and a short message (WeChat's FAIL body).
type refusal struct {
	status int
	reason string
	msg    string
}

// receive takes a notification from a provider: POST /n/{till}/{channel}.
// Everything cheap is checked before the body is read, the body's shape
// before it is stored, and the answer the provider reads as "delivered"
// is written only after the notification is synced to disk.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	till, ch := r.PathValue("till"), payments.Channel(r.PathValue("channel"))
	if !ch.Valid() || !s.auth.known(till) {
		s.refuseUnread(w, r, ch, refusal{http.StatusNotFound, reasonUnknownTill, "no such till or channel"})
		return
	}
	if !s.limit.allow(sourceKey(r.RemoteAddr)) {
		w.Header().Set("Retry-After", "1")
		s.refuseUnread(w, r, ch, refusal{http.StatusTooManyRequests, reasonRate, "too many notifications from this address"})
		return
	}
	if r.ContentLength > s.opt.MaxBody {
		s.refuseUnread(w, r, ch, refusal{http.StatusRequestEntityTooLarge, reasonTooLarge, "notification too large"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opt.MaxBody))
	if err != nil {
		s.refuse(w, ch, bodyRefusal(err))
		return
	}
	if ref := checkShape(ch, r.Header, body); ref != nil {
		s.logRefusal("relay: %s notification for %s (%d bytes) from %s refused: %s", ch, till, len(body), sourceKey(r.RemoteAddr), ref.msg)
		s.refuse(w, ch, *ref)
		return
	}
	e := Event{Channel: ch, ReceivedAt: s.opt.Clock.Now().UTC(), Header: keepHeaders(r.Header), Body: body}
	if _, err := s.st.Append(r.Context(), till, e); err != nil {
		s.opt.Log.Warn(fmt.Sprintf("%s notification for %s (%d bytes) not stored, provider told to retry: %v", ch, till, len(body), err))
		if errors.Is(err, ErrQuota) {
			s.refuse(w, ch, refusal{http.StatusInsufficientStorage, reasonQuota, "relay storage for this till is full; try later"})
			return
		}
		s.refuse(w, ch, refusal{http.StatusInternalServerError, reasonStore, "relay could not store the notification"})
		return
	}
	s.hub.notify(till)
	s.metrics.accepted.WithLabelValues(string(ch)).Inc()
	accept(w, ch)
}

// bodyRefusal words a body that could not be read.
func bodyRefusal(err error) refusal {
	switch {
	case errors.As(err, new(*http.MaxBytesError)):
		return refusal{http.StatusRequestEntityTooLarge, reasonTooLarge, "notification too large"}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return refusal{http.StatusRequestTimeout, reasonSlowBody, "the body took too long"}
	default:
		return refusal{http.StatusBadRequest, reasonUnreadable, "could not read the notification"}
	}
}

// refuseUnread refuses before the body is read, and drops the
// connection after the answer instead of reading the body first (which
// net/http would otherwise do, before answering, to reuse it).
func (s *Server) refuseUnread(w http.ResponseWriter, r *http.Request, ch payments.Channel, ref refusal) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
		http.NewResponseController(w).SetReadDeadline(time.Now())
	}
	s.refuse(w, ch, ref)
}

// refuse answers a provider "not delivered, try again" (or, for a 4xx,
// "this is wrong") in its own words and counts it: Alipay reads anything
// but "success" as failure (we say "fail"), WeChat Pay wants a 4xx/5xx
// with {"code":"FAIL","message":…}.
func (s *Server) refuse(w http.ResponseWriter, ch payments.Channel, ref refusal) {
	label := string(ch)
	if !ch.Valid() {
		label = "other"
	}
	s.metrics.refused.WithLabelValues(label, ref.reason).Inc()
	if ref.status == http.StatusNotFound {
		http.NotFound(w, nil)
		return
	}
	if ch == payments.Alipay {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(ref.status)
		io.WriteString(w, "fail")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ref.status)
	io.WriteString(w, `{"code":"FAIL","message":"`+ref.msg+`"}`)
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

// logRefusal logs a refused notification at most once a second, so junk
// cannot flood the log (the metrics count every one).
func (s *Server) logRefusal(format string, args ...any) {
	now := time.Now().UnixNano()
	last := s.lastRefusalLog.Load()
	if now-last < int64(time.Second) || !s.lastRefusalLog.CompareAndSwap(last, now) {
		s.refusalsUnlogged.Add(1)
		return
	}
	if n := s.refusalsUnlogged.Swap(0); n > 0 {
		format += " (and %d more since the last such line)"
		args = append(args, n)
	}
	s.opt.Log.Warn(fmt.Sprintf(format, args...))
}
