package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// streamBatch is how many notifications one read of the store sends.
const streamBatch = 64

// stream serves GET /t/{till}/events: every unacknowledged notification
// of the till in id order, then each new one as it is stored, as SSE
// events, with a heartbeat comment when idle. It starts after the
// till's acked-through point, or after Last-Event-ID if that is later.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	till := r.PathValue("till")
	if !s.authorized(w, r, till) {
		return
	}
	var lastEventID uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		lastEventID, _ = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	}
	st, err := s.st.Stats(r.Context(), till)
	if err != nil {
		s.opt.Log.Warn(fmt.Sprintf("stream for %s: %v", till, err))
		http.Error(w, "relay store unavailable", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-s.hub.closed:
		http.Error(w, "relay shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	from := resumePoint(st, lastEventID)
	conn := s.hub.attach(till)
	defer s.hub.detach(till, conn)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := s.send(w, rc, []byte(": qrtill relay\n\n")); err != nil {
		return
	}
	start := time.Now()
	s.opt.Log.Info(fmt.Sprintf("till %s connected from %s, resuming after id %d", till, sourceKey(r.RemoteAddr), from))
	why := s.pump(w, rc, r, conn, till, from)
	s.opt.Log.Info(fmt.Sprintf("till %s stream ended after %s: %s", till, time.Since(start).Round(time.Millisecond), why))
}

// pump writes events until the stream must end and says why.
func (s *Server) pump(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, conn *streamConn, till string, sent uint64) string {
	heartbeat := time.NewTicker(s.opt.Heartbeat)
	defer heartbeat.Stop()
	var buf bytes.Buffer
	for {
		wake := s.hub.waiter(till)
		events, err := s.st.Read(r.Context(), till, sent, streamBatch)
		if err != nil {
			return err.Error()
		}
		if len(events) > 0 {
			buf.Reset()
			for _, e := range events {
				if err := writeEvent(&buf, e); err != nil {
					return err.Error()
				}
				sent = e.ID
			}
			if err := s.send(w, rc, buf.Bytes()); err != nil {
				return "write: " + err.Error()
			}
			if len(events) == streamBatch {
				continue
			}
		}
		select {
		case <-wake:
		case <-heartbeat.C:
			if err := s.send(w, rc, []byte(": ping\n\n")); err != nil {
				return "write: " + err.Error()
			}
		case <-r.Context().Done():
			return "till disconnected"
		case <-conn.gone:
			return "replaced by a newer connection"
		case <-s.hub.closed:
			return "relay closing"
		}
	}
}

// writeEvent appends one SSE event: id, type, and the Event as JSON on a
// single data line (JSON escapes newlines, and the body is base64).
func writeEvent(buf *bytes.Buffer, e Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event %d: %w", e.ID, err)
	}
	fmt.Fprintf(buf, "id: %d\nevent: notification\ndata: ", e.ID)
	buf.Write(data)
	buf.WriteString("\n\n")
	return nil
}

// send writes and flushes within the write timeout.
func (s *Server) send(w http.ResponseWriter, rc *http.ResponseController, p []byte) error {
	if err := rc.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return rc.Flush()
}

// authorized checks the bearer token for till and answers 401 or 403 if
// it is not till's own.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, till string) bool {
	switch s.auth.check(till, r) {
	case 0:
		return true
	case http.StatusForbidden:
		http.Error(w, "this token belongs to another till", http.StatusForbidden)
	default:
		w.Header().Set("WWW-Authenticate", `Bearer realm="qrtill relay"`)
		http.Error(w, "a valid bearer token for this till is required", http.StatusUnauthorized)
	}
	return false
}
