package sandbox

import (
	"net/http"
	"time"
)

// Faults are the failures the sandbox injects, switched at run time with
// POST /sandbox/faults (the whole set, as JSON; absent fields are 0).
// Counters are "the next N": each use takes one, so tests are exact.
//
//	{"latency_ms": 200,          every API call waits this long first
//	 "fail_next": 2,             the next 2 API calls answer 503
//	 "timeout_next": 1,          the next API call hangs until the client gives up
//	 "drop_notify": 1,           the next notification is never sent
//	 "duplicate_notify": 1,      the next notification is sent twice
//	 "reorder_notify": 1,        the next notification is sent again, stale, after it was acknowledged
//	 "bad_signature_notify": 1,  the next notification's first delivery has a broken signature
//	 "wrong_amount_notify": 1,   the next notification claims 1 fen more, correctly signed
//	 "pay_before_close": 1}      the next close or cancel finds the buyer just paid
type Faults struct {
	LatencyMS          int `json:"latency_ms"`
	FailNext           int `json:"fail_next"`
	TimeoutNext        int `json:"timeout_next"`
	DropNotify         int `json:"drop_notify"`
	DuplicateNotify    int `json:"duplicate_notify"`
	ReorderNotify      int `json:"reorder_notify"`
	BadSignatureNotify int `json:"bad_signature_notify"`
	WrongAmountNotify  int `json:"wrong_amount_notify"`
	PayBeforeClose     int `json:"pay_before_close"`
}

// Faults returns the faults now in force.
func (g *Gateway) Faults() Faults {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faults
}

// SetFaults replaces the faults in force.
func (g *Gateway) SetFaults(f Faults) {
	g.mu.Lock()
	g.faults = f
	g.mu.Unlock()
}

// take uses one of a counter, reporting whether one was left.
func (g *Gateway) take(counter func(f *Faults) *int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := counter(&g.faults)
	if *c > 0 {
		*c--
		return true
	}
	return false
}

// InjectAPIFault applies the API faults to one request. Each wire calls it
// first; true means the request was answered (or abandoned) already.
func (g *Gateway) InjectAPIFault(w http.ResponseWriter, r *http.Request) bool {
	if ms := g.Faults().LatencyMS; ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return true
		}
	}
	if g.take(func(f *Faults) *int { return &f.TimeoutNext }) {
		<-r.Context().Done() // hang until the client gives up
		return true
	}
	if g.take(func(f *Faults) *int { return &f.FailNext }) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "SYSTEM_ERROR", "message": "sandbox fault: service unavailable"})
		return true
	}
	return false
}

// payBeforeClose is the ledger's hook before a close or cancel.
func (g *Gateway) payBeforeClose(outTradeNo string) {
	if g.take(func(f *Faults) *int { return &f.PayBeforeClose }) {
		if _, err := g.ledger.Pay(outTradeNo); err != nil {
			g.cfg.Logf("sandbox: pay before close of %s: %v", outTradeNo, err)
		}
	}
}
