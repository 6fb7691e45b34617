package relay

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"qrtill/internal/metrics"
)

// Server is the relay, an http.Handler:
//
//	POST /n/{till}/alipay, POST /n/{till}/wechat   from the providers
//	GET  /t/{till}/events                          the till's SSE stream (bearer token)
//	POST /t/{till}/ack                             the till's acknowledgements (bearer token)
//	GET  /healthz                                  counts; a till's details with its token
//	GET  /metrics                                  Prometheus, only with Options.MetricsToken
//
// It works behind httptest.NewServer as well as http.Server; Serve adds
// the connection limits and timeouts that face the internet.
type Server struct {
	opt     Options
	auth    *authz
	tills   []string // sorted
	st      Store
	hub     *hub
	limit   *limiter
	metrics *relayMetrics
	mux     *http.ServeMux
	started time.Time

	// lastRefusalLog (unix ns) and refusalsUnlogged rate-limit the log
	// lines of refused notifications.
	lastRefusalLog   atomic.Int64
	refusalsUnlogged atomic.Int64

	stop     chan struct{}
	loopDone sync.WaitGroup
	closing  sync.Once
	closeErr error
}

// Open opens (or creates) the relay's bbolt store, DATADIR/relay.db, and
// serves from it (see NewServer). Close it when done.
func Open(dataDir string, opt Options) (*Server, error) {
	opt.fill()
	if _, err := newAuthz(opt.Tokens); err != nil {
		return nil, err
	}
	st, err := OpenBoltStore(dataDir, BoltOptions{
		Tills:        slices.Sorted(maps.Keys(opt.Tokens)),
		Quota:        opt.Quota,
		BatchDelay:   opt.BatchDelay,
		CompactAbove: opt.CompactAbove,
		Log:          opt.Log,
	})
	if err != nil {
		return nil, err
	}
	s, err := NewServer(st, opt)
	if err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// NewServer serves the relay from st, which it owns from then on (Close
// closes it), and starts the pruning loop.
func NewServer(st Store, opt Options) (*Server, error) {
	opt.fill()
	auth, err := newAuthz(opt.Tokens)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opt:     opt,
		auth:    auth,
		tills:   slices.Sorted(maps.Keys(opt.Tokens)),
		st:      st,
		hub:     newHub(),
		limit:   newLimiter(opt.Rate, opt.Burst, opt.Clock.Now),
		mux:     http.NewServeMux(),
		started: opt.Clock.Now(),
		stop:    make(chan struct{}),
	}
	s.metrics = newRelayMetrics(s)
	s.mux.HandleFunc("POST /n/{till}/{channel}", s.receive)
	s.mux.HandleFunc("GET /t/{till}/events", s.stream)
	s.mux.HandleFunc("POST /t/{till}/ack", s.ack)
	s.mux.HandleFunc("GET /healthz", s.health)
	if opt.MetricsToken != "" {
		s.mux.Handle("GET /metrics", metrics.NewEndpoint(opt.MetricsToken, s.Collector()))
	}
	if opt.PruneEvery > 0 {
		s.loopDone.Add(1)
		go s.pruneLoop()
	}
	return s, nil
}

// ServeHTTP serves the relay's routes. A request with a body must have
// it in within BodyTimeout: the read deadline set here stays until the
// request is over, so neither a handler nor net/http's own draining of
// an unread body can be held by a client that trickles bytes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opt.BodyTimeout))
	}
	s.mux.ServeHTTP(w, r)
}

// Store is the server's store.
func (s *Server) Store() Store { return s.st }

// CloseStreams ends every open till stream (the tills reconnect and
// resume). Serve registers it with http.Server.RegisterOnShutdown,
// because Shutdown does not wait for endless responses to end by
// themselves.
func (s *Server) CloseStreams() { s.hub.close() }

// Close ends the streams, stops the pruning loop and closes the store. A
// notification arriving after Close is answered with a failure, so its
// provider tries again later.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.hub.close()
		close(s.stop)
		s.loopDone.Wait()
		s.closeErr = s.st.Close()
	})
	return s.closeErr
}
