package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// controlRoutes is the JSON control API of DESIGN.md, for demos and tests
// (the package doc lists it). It and /sandbox/info answer callers on this
// machine only: anyone on the shop's Wi-Fi could otherwise mark orders
// paid.
func (g *Gateway) controlRoutes() {
	g.mux.HandleFunc("GET /sandbox/trades", g.local(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.ledger.List())
	}))
	g.mux.HandleFunc("GET /sandbox/trades/{no}", g.local(g.control(g.ledger.Get)))
	g.mux.HandleFunc("POST /sandbox/trades/{no}/scan", g.local(g.control(g.ledger.Scan)))
	g.mux.HandleFunc("POST /sandbox/trades/{no}/pay", g.local(g.control(g.ledger.Pay)))
	// The buyer cancelling: no pay_before_close fault here, that one is
	// about the merchant's close racing the buyer.
	g.mux.HandleFunc("POST /sandbox/trades/{no}/cancel", g.local(g.control(g.ledger.close)))
	g.mux.HandleFunc("POST /sandbox/trades/{no}/refund", g.local(g.externalRefund))
	g.mux.HandleFunc("GET /sandbox/faults", g.local(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.Faults())
	}))
	g.mux.HandleFunc("POST /sandbox/faults", g.local(g.postFaults))
	g.mux.HandleFunc("GET /sandbox/info", g.local(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.Info())
	}))
}

// local refuses, with 403, a caller that is not on this machine: its
// address is neither a loopback address (Config.IsLoopback) nor the
// address it reached the gateway on (a connection from this machine to
// its own LAN address, as the README's curl $BASE does).
func (g *Gateway) local(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !g.fromThisMachine(r) {
			g.cfg.Log.Warn(fmt.Sprintf("control API refused to %s", r.RemoteAddr))
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "the sandbox control API answers callers on this machine only (loopback); the wallet page /pay/… is the part open to phones on the LAN"})
			return
		}
		h(w, r)
	}
}

// fromThisMachine reports whether a request comes from this machine.
func (g *Gateway) fromThisMachine(r *http.Request) bool {
	remote, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := remote.Addr().Unmap()
	if g.cfg.IsLoopback(ip) {
		return true
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if local, err := netip.ParseAddrPort(la.String()); err == nil && local.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}

// postFaults replaces the faults in force.
func (g *Gateway) postFaults(w http.ResponseWriter, r *http.Request) {
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
	g.cfg.Log.Warn(fmt.Sprintf("faults now %+v", f))
	writeJSON(w, http.StatusOK, f)
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

// externalRefund is POST /sandbox/trades/{no}/refund {"amount_fen": N}: a
// refund made outside the till, as the merchant platform (or the
// merchant's app) would make it, under a refund number the till never
// issued. It obeys the refund faults, and the provider's notification
// goes to the trade's notify_url as the real one's would. 200 with the
// trade; 404 unknown trade; 400 no or a non-positive amount; 409 a trade
// that is not paid, is finished, or has less left to refund.
func (g *Gateway) externalRefund(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AmountFen *int64 `json:"amount_fen"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<12))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.AmountFen == nil || *body.AmountFen <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `refund: send {"amount_fen": N}, N a positive number of fen`})
		return
	}
	no := r.PathValue("no")
	t, err := g.ledger.Get(no)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	spec := RefundSpec{RefundNo: externalRefundNo(g.Now()), AmountFen: *body.AmountFen, NotifyURL: t.NotifyURL,
		External: true, Plan: func() (RefundStatus, time.Duration) { return g.refundPlan(t.Channel) }}
	t, _, _, err = g.ledger.RefundWith(no, spec)
	if err != nil {
		writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error(), "trade": t})
		return
	}
	g.cfg.Log.Info(fmt.Sprintf("external refund %s of %d fen on %s", spec.RefundNo, spec.AmountFen, no))
	writeJSON(w, http.StatusOK, t)
}

// externalRefundNo is a refund number the merchant platform makes up:
// letters and digits, valid for both providers.
func externalRefundNo(at time.Time) string {
	return fmt.Sprintf("EXT%s%s", at.In(cst).Format("20060102150405"), randDigits(6))
}
