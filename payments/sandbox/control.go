package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// controlRoutes is the JSON control API of DESIGN.md, for demos and tests
// (the package doc lists it).
func (g *Gateway) controlRoutes() {
	g.mux.HandleFunc("GET /sandbox/trades", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.ledger.List())
	})
	g.mux.HandleFunc("GET /sandbox/trades/{no}", g.control(g.ledger.Get))
	g.mux.HandleFunc("POST /sandbox/trades/{no}/scan", g.control(g.ledger.Scan))
	g.mux.HandleFunc("POST /sandbox/trades/{no}/pay", g.control(g.ledger.Pay))
	// The buyer cancelling: no pay_before_close fault here, that one is
	// about the merchant's close racing the buyer.
	g.mux.HandleFunc("POST /sandbox/trades/{no}/cancel", g.control(g.ledger.close))
	g.mux.HandleFunc("GET /sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.Faults())
	})
	g.mux.HandleFunc("POST /sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "faults: " + err.Error()})
			return
		}
		if err := f.Validate(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		g.SetFaults(f)
		g.cfg.Logf("sandbox: faults now %+v", f)
		writeJSON(w, http.StatusOK, f)
	})
	g.mux.HandleFunc("GET /sandbox/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.Info())
	})
}

// control wraps a ledger step as a control endpoint: 200 with the trade,
// 404 for an unknown trade, 409 (with the trade) when the trade's state
// refuses the step.
func (g *Gateway) control(step func(string) (Trade, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := step(r.PathValue("no"))
		switch {
		case errors.Is(err, ErrTradeNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error(), "trade": t})
		default:
			writeJSON(w, http.StatusOK, t)
		}
	}
}
