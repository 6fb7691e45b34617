package relay

import (
	"encoding/json"
	"net/http"
)

// Health is the JSON of GET /healthz. It holds no secrets: till ids,
// counts and the uptime.
type Health struct {
	Status        string         `json:"status"`         // "ok", or "degraded" when the store cannot be read
	Connected     []string       `json:"connected"`      // tills with an open stream, sorted
	Backlog       map[string]int `json:"backlog"`        // till → notifications stored but not acknowledged
	UptimeSeconds int64          `json:"uptime_seconds"` // since Open
}

// health serves GET /healthz.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := Health{Status: "ok", Connected: s.hub.connected(), UptimeSeconds: int64(s.opt.Clock.Now().Sub(s.started).Seconds())}
	backlog, err := s.st.backlogs(s.tills)
	if err != nil {
		s.opt.Logf("relay: health: %v", err)
		h.Status = "degraded"
	}
	h.Backlog = backlog
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(h)
}
