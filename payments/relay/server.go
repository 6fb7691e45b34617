package relay

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultRetention      = 72 * time.Hour
	DefaultAckedRetention = time.Hour
	DefaultPruneEvery     = 10 * time.Minute
	DefaultHeartbeat      = 15 * time.Second
	DefaultMaxBody        = 64 << 10
	DefaultRate           = 50
	DefaultBurst          = 200
	DefaultBatchDelay     = 2 * time.Millisecond
	DefaultWriteTimeout   = 30 * time.Second
)

// Options configure a Server. Only Tokens is required.
type Options struct {
	// Tokens are the tills this relay serves and their token hashes
	// (LoadTokens reads them from the tokens file). Any other till is 404.
	Tokens Tokens
	// Retention: notifications nobody acknowledged are deleted after it.
	Retention time.Duration
	// AckedRetention: acknowledged notifications are deleted after it.
	AckedRetention time.Duration
	// PruneEvery is how often the pruning loop runs; negative turns the
	// loop off (call Prune yourself).
	PruneEvery time.Duration
	// Heartbeat is the interval of the SSE comment lines that keep idle
	// streams (and the proxies on the way) alive.
	Heartbeat time.Duration
	// MaxBody is the largest notification body taken; larger is 413.
	MaxBody int64
	// Rate and Burst limit notifications per source IP (token bucket:
	// Rate a second, Burst at once); over the limit is 429. Alipay and
	// WeChat post from a few addresses for every till, so keep it wide.
	Rate  float64
	Burst int
	// BatchDelay is how long a write waits for others to share its fsync
	// (bbolt's MaxBatchDelay).
	BatchDelay time.Duration
	// WriteTimeout bounds each write to a till's stream; a till that stops
	// reading is dropped.
	WriteTimeout time.Duration
	// Clock stamps received_at and drives the rate limiter and the
	// pruning loop; nil is the real clock.
	Clock Clock
	// Logf gets one line per event worth knowing (stream opened or
	// closed, a write failed, notifications pruned): till ids, ids,
	// sizes — never tokens or bodies. Nil discards.
	Logf func(format string, args ...any)
}

func (o *Options) fill() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Retention, DefaultRetention)
	def(&o.AckedRetention, DefaultAckedRetention)
	def(&o.PruneEvery, DefaultPruneEvery)
	def(&o.Heartbeat, DefaultHeartbeat)
	def(&o.BatchDelay, DefaultBatchDelay)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Server is the relay, an http.Handler:
//
//	POST /n/{till}/alipay, POST /n/{till}/wechat   from the providers
//	GET  /t/{till}/events                          the till's SSE stream (bearer token)
//	POST /t/{till}/ack                             the till's acknowledgements (bearer token)
//	GET  /healthz                                  connected tills, backlogs, uptime
//
// It works behind httptest.NewServer as well as http.Server; see Run.
type Server struct {
	opt     Options
	auth    *authz
	tills   []string // sorted
	st      *store
	hub     *hub
	limit   *limiter
	mux     *http.ServeMux
	started time.Time

	stop     chan struct{}
	loopDone sync.WaitGroup
	closing  sync.Once
	closeErr error
}

// Open opens (or creates) the relay's store, DATADIR/relay.db, and
// starts its pruning loop. Close it when done.
func Open(dataDir string, opt Options) (*Server, error) {
	opt.fill()
	auth, err := newAuthz(opt.Tokens)
	if err != nil {
		return nil, err
	}
	if dataDir == "" {
		return nil, errors.New("relay data dir is empty; pass --data DIR")
	}
	tills := slices.Sorted(maps.Keys(opt.Tokens))
	st, err := openStore(dataDir, opt.BatchDelay, tills)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opt:     opt,
		auth:    auth,
		tills:   tills,
		st:      st,
		hub:     newHub(),
		limit:   newLimiter(opt.Rate, opt.Burst, opt.Clock.Now),
		mux:     http.NewServeMux(),
		started: opt.Clock.Now(),
		stop:    make(chan struct{}),
	}
	s.mux.HandleFunc("POST /n/{till}/{channel}", s.receive)
	s.mux.HandleFunc("GET /t/{till}/events", s.stream)
	s.mux.HandleFunc("POST /t/{till}/ack", s.ack)
	s.mux.HandleFunc("GET /healthz", s.health)
	if opt.PruneEvery > 0 {
		s.loopDone.Add(1)
		go s.pruneLoop()
	}
	return s, nil
}

// ServeHTTP serves the relay's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// CloseStreams ends every open till stream (the tills reconnect and
// resume). Run registers it with http.Server.RegisterOnShutdown, because
// Shutdown does not wait for endless responses to end by themselves.
func (s *Server) CloseStreams() { s.hub.close() }

// Close ends the streams, stops the pruning loop and closes the store. A
// notification arriving after Close is answered with a failure, so its
// provider tries again later.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.hub.close()
		close(s.stop)
		s.loopDone.Wait()
		s.closeErr = s.st.close()
	})
	return s.closeErr
}
