package sandbox

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// Faults are the failures the sandbox injects, switched at run time with
// POST /sandbox/faults (the whole set, as JSON; absent fields are 0 =
// off) or SetFaults. Counters mean "the next N" and count down as they
// are used, so tests are exact; FailPercent is the one chance-based
// fault, drawn from a generator seeded with Seed, so a run repeats.
//
//	{"latency_ms": 200,          every API call waits this long first
//	 "fail_next": 2,             the next 2 API calls answer HTTP 503
//	 "fail_percent": 10,         then each API call fails with this chance …
//	 "seed": 1,                  … drawn from a generator seeded with this
//	 "timeout_next": 1,          the next API call hangs until the client gives up
//	 "drop_notify": 1,           the next payment notification is never sent
//	 "duplicate_notify": 1,      the next one is delivered twice
//	 "reorder_notify": 1,        the next one is held back one retry interval,
//	                             and a stale copy follows after it was acknowledged
//	 "bad_signature_notify": 1,  the next one's first delivery has a broken
//	                             signature; the retries are signed correctly
//	 "wrong_amount_notify": 1,   the next one claims 1 fen more, correctly signed
//	                             (every delivery of it)
//	 "pay_before_close": 1}      the next close or cancel finds the buyer just paid
type Faults struct {
	LatencyMS          int    `json:"latency_ms"`
	FailNext           int    `json:"fail_next"`
	FailPercent        int    `json:"fail_percent"`
	Seed               uint64 `json:"seed"`
	TimeoutNext        int    `json:"timeout_next"`
	DropNotify         int    `json:"drop_notify"`
	DuplicateNotify    int    `json:"duplicate_notify"`
	ReorderNotify      int    `json:"reorder_notify"`
	BadSignatureNotify int    `json:"bad_signature_notify"`
	WrongAmountNotify  int    `json:"wrong_amount_notify"`
	PayBeforeClose     int    `json:"pay_before_close"`
}

// Validate reports a fault set that makes no sense.
func (f Faults) Validate() error {
	for _, c := range []struct {
		name string
		v    int
	}{
		{"latency_ms", f.LatencyMS}, {"fail_next", f.FailNext}, {"fail_percent", f.FailPercent},
		{"timeout_next", f.TimeoutNext}, {"drop_notify", f.DropNotify}, {"duplicate_notify", f.DuplicateNotify},
		{"reorder_notify", f.ReorderNotify}, {"bad_signature_notify", f.BadSignatureNotify},
		{"wrong_amount_notify", f.WrongAmountNotify}, {"pay_before_close", f.PayBeforeClose},
	} {
		if c.v < 0 {
			return &faultError{c.name + " must not be negative"}
		}
	}
	if f.FailPercent > 100 {
		return &faultError{"fail_percent must be 0 to 100"}
	}
	return nil
}

// faultError is a refused fault set.
type faultError struct{ msg string }

// Error is the message for the control API.
func (e *faultError) Error() string { return "faults: " + e.msg }

// Faults returns the faults now in force (counters as far as used).
func (g *Gateway) Faults() Faults {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faults
}

// SetFaults replaces the faults in force and reseeds the chance of
// FailPercent from f.Seed.
func (g *Gateway) SetFaults(f Faults) {
	g.mu.Lock()
	g.faults = f
	g.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
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

// failByChance draws FailPercent.
func (g *Gateway) failByChance() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.faults.FailPercent <= 0 {
		return false
	}
	if g.rng == nil {
		g.rng = rand.New(rand.NewPCG(g.faults.Seed, g.faults.Seed^0x9e3779b97f4a7c15))
	}
	return g.rng.IntN(100) < g.faults.FailPercent
}

// InjectAPIFault applies the API faults to one request. Each wire calls it
// first thing; true means the request was answered (503) or abandoned
// (timeout; the client's context ended or the gateway closed) already,
// and the wire must not write anything more.
func (g *Gateway) InjectAPIFault(w http.ResponseWriter, r *http.Request) bool {
	done := g.notifier.stop.Done()
	if ms := g.Faults().LatencyMS; ms > 0 {
		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return true
		case <-done:
		}
	}
	if g.take(func(f *Faults) *int { return &f.TimeoutNext }) {
		g.cfg.Logf("sandbox: fault: %s %s hangs", r.Method, r.URL.Path)
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-done:
		}
		return true
	}
	if g.take(func(f *Faults) *int { return &f.FailNext }) || g.failByChance() {
		g.cfg.Logf("sandbox: fault: %s %s answers 503", r.Method, r.URL.Path)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "SYSTEM_ERROR", "message": "sandbox fault: service unavailable"})
		return true
	}
	return false
}

// payBeforeClose is the ledger's hook before a close or cancel: with the
// pay_before_close fault the buyer's payment lands first.
func (g *Gateway) payBeforeClose(outTradeNo string) {
	if g.take(func(f *Faults) *int { return &f.PayBeforeClose }) {
		if _, err := g.ledger.Pay(outTradeNo); err != nil {
			g.cfg.Logf("sandbox: fault: pay before close of %s: %v", outTradeNo, err)
		}
	}
}
