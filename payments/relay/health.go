package relay

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// Health is the JSON of GET /healthz. To anyone it gives counts only —
// no till ids, no secrets; called with a till's bearer token it adds
// that till's own details.
type Health struct {
	Status        string      `json:"status"`         // "ok", or "degraded" when the store cannot be read
	Tills         int         `json:"tills"`          // tills this relay serves
	Connected     int         `json:"connected"`      // tills with their stream open
	Backlog       int         `json:"backlog"`        // notifications stored but not acknowledged, all tills
	UptimeSeconds int64       `json:"uptime_seconds"` // since the server started
	Till          *TillHealth `json:"till,omitempty"` // the caller's till, with its token
}

// TillHealth is one till's part of Health, for that till only.
type TillHealth struct {
	ID           string `json:"id"`
	Connected    bool   `json:"connected"`     // its stream is open
	Backlog      int    `json:"backlog"`       // stored, not acknowledged
	Stored       int    `json:"stored"`        // stored until pruned, acknowledged or not
	StoredBytes  int64  `json:"stored_bytes"`  // their size
	QuotaCount   int    `json:"quota_count"`   // what Stored may reach
	QuotaBytes   int64  `json:"quota_bytes"`   // what StoredBytes may reach
	LastID       uint64 `json:"last_id"`       // the last id given out
	AckedThrough uint64 `json:"acked_through"` // everything up to here is acknowledged
}

// health serves GET /healthz. A request with a bearer token that is no
// till's is refused (401), so a typo is not mistaken for "no details".
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	mine, authed := "", r.Header.Get("Authorization") != ""
	if authed {
		var ok bool
		if mine, ok = s.auth.tillOf(r); !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="qrtill relay"`)
			http.Error(w, "this token belongs to no till here", http.StatusUnauthorized)
			return
		}
	}
	connected := s.hub.connected()
	h := Health{Status: "ok", Tills: len(s.tills), Connected: len(connected),
		UptimeSeconds: int64(s.opt.Clock.Now().Sub(s.started).Seconds())}
	for _, till := range s.tills {
		st, err := s.st.Stats(r.Context(), till)
		if err != nil {
			s.opt.Log.Warn(fmt.Sprintf("health: %v", err))
			h.Status = "degraded"
			break
		}
		h.Backlog += st.Backlog
		if till == mine {
			h.Till = &TillHealth{ID: till, Connected: slices.Contains(connected, till), Backlog: st.Backlog,
				Stored: st.Stored, StoredBytes: st.StoredBytes, QuotaCount: s.opt.Quota.Count, QuotaBytes: s.opt.Quota.Bytes,
				LastID: st.LastID, AckedThrough: st.AckedThrough}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(h)
}
