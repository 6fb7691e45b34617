package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxAckIDs bounds one acknowledgement.
const maxAckIDs = 4096

// AckRequest is the body of POST /t/{till}/ack: one id, several, or both.
type AckRequest struct {
	ID  uint64   `json:"id,omitempty"`
	IDs []uint64 `json:"ids,omitempty"`
}

// ack serves POST /t/{till}/ack: the till has stored (or refused for
// good) these notifications; the relay stops sending them. 204 on
// success, 400 for a malformed body or an id never given out.
func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	till := r.PathValue("till")
	if !s.authorized(w, r, till) {
		return
	}
	var req AckRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `ack body must be {"id": N} or {"ids": [N, …]}`, http.StatusBadRequest)
		return
	}
	ids := req.IDs
	if req.ID != 0 {
		ids = append(ids, req.ID)
	}
	if len(ids) == 0 || len(ids) > maxAckIDs {
		http.Error(w, "ack between 1 and 4096 ids at a time", http.StatusBadRequest)
		return
	}
	now := s.opt.Clock.Now()
	received, err := s.st.Ack(r.Context(), till, ids, now)
	if err != nil {
		if errors.Is(err, ErrAckUnknown) {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.opt.Log.Warn(fmt.Sprintf("%v", err))
		http.Error(w, "relay could not record the ack; send it again", http.StatusServiceUnavailable)
		return
	}
	s.metrics.ackedAfter(now, received)
	w.WriteHeader(http.StatusNoContent)
}
