// Package metrics serves Prometheus metrics (the text format, with
// github.com/prometheus/client_golang) behind a bearer token, for any
// qrtill server: the relay uses it, and `qrtill serve` can hand it the
// kiosk's collectors the same way.
//
// Metrics are never public by default: an Endpoint made with a token
// answers 401 to anyone without it, and one made without a token is
// meant for a listener on a private address (ServeEndpoint), which the
// operator asks for explicitly.
package metrics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"qrtill/internal/httpserve"
)

// Endpoint is an http.Handler for GET /metrics: the given collectors,
// plus the Go runtime's and the process's.
type Endpoint struct {
	hash    [sha256.Size]byte
	guarded bool
	handler http.Handler
}

// NewEndpoint registers cs in a registry of its own and serves it to
// callers with "Authorization: Bearer <token>"; an empty token serves
// everyone who can reach it. It panics if two collectors clash, as
// prometheus.MustRegister does: that is a programming error.
func NewEndpoint(token string, cs ...prometheus.Collector) *Endpoint {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(cs...)
	e := &Endpoint{handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}
	if token != "" {
		e.hash, e.guarded = sha256.Sum256([]byte(token)), true
	}
	return e
}

// ServeHTTP answers 401 without the token, else the metrics.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.guarded && !e.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="qrtill metrics"`)
		http.Error(w, "a bearer token is required for /metrics", http.StatusUnauthorized)
		return
	}
	e.handler.ServeHTTP(w, r)
}

func (e *Endpoint) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], e.hash[:]) == 1
}

// ServeEndpoint serves e at /metrics on ln until ctx ends, then shuts
// down within 5 seconds. Everything else on ln is 404.
func ServeEndpoint(ctx context.Context, ln net.Listener, e *Endpoint) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", e)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	return httpserve.Serve(ctx, srv, ln, 5*time.Second, "metrics")
}
