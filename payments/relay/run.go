package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"qrtill/internal/httpserve"
	"qrtill/internal/metrics"
	"qrtill/payments"
)

// RunConfig is `qrtill relay`.
type RunConfig struct {
	Addr       string // HOST:PORT to serve on
	DataDir    string // where relay.db lives
	TokensFile string // the tills and their token hashes (LoadTokens)
	// MetricsTokenFile, when set, serves /metrics on Addr to callers
	// with the token it holds (a mode-600 file).
	MetricsTokenFile string
	// MetricsAddr, when set, serves /metrics on this HOST:PORT too,
	// without a token: give it a private or loopback address.
	MetricsAddr string
	// Options for the server; Tokens and MetricsToken are filled from
	// the files above.
	Options Options
}

// LoadMetricsToken reads the token that opens /metrics from a file
// others cannot read (payments.ReadSecretFile), trimmed of spaces.
func LoadMetricsToken(path string) (string, error) {
	tok, err := payments.ReadSecretFile(path)
	if err != nil {
		return "", err
	}
	t := strings.TrimSpace(string(tok))
	if t == "" {
		return "", fmt.Errorf("metrics token file %s is empty; put a long random token in it", path)
	}
	return t, nil
}

// Run is `qrtill relay`: it loads the tokens file, opens the relay's
// store in DataDir and serves on Addr (and metrics on MetricsAddr) until
// ctx ends, then shuts down (open streams ended, requests in flight
// answered) and closes the store. A damaged or busy store is
// ErrStoreDamaged or ErrStoreInUse, before anything listens.
func Run(ctx context.Context, cfg RunConfig) error {
	opt := cfg.Options
	tokens, err := LoadTokens(cfg.TokensFile)
	if err != nil {
		return err
	}
	opt.Tokens = tokens
	if cfg.MetricsTokenFile != "" {
		if opt.MetricsToken, err = LoadMetricsToken(cfg.MetricsTokenFile); err != nil {
			return err
		}
	}
	s, err := Open(cfg.DataDir, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var mln net.Listener
	if cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
	}
	s.opt.Log.Info(fmt.Sprintf("listening on %s for %d tills, data in %s", ln.Addr(), len(tokens), cfg.DataDir))
	err = serveAll(ctx, s, ln, mln)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close relay store: %w", cerr)
	}
	return err
}

// serveAll serves the relay on ln and its metrics on mln (if any) until
// ctx ends or one of them fails.
func serveAll(ctx context.Context, s *Server, ln, mln net.Listener) error {
	if mln == nil {
		return Serve(ctx, ln, s)
	}
	s.opt.Log.Info(fmt.Sprintf("metrics on %s", mln.Addr()))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- metrics.ServeEndpoint(ctx, mln, metrics.NewEndpoint("", s.Collector()))
		cancel()
	}()
	err := Serve(ctx, ln, s)
	cancel()
	return errors.Join(err, <-errc)
}

// Serve serves s on ln until ctx ends, then shuts the HTTP server down
// within 10 seconds. It does not close s. Connections beyond
// MaxConnsPerSource from one source are closed as they come; headers
// must be in within HeaderTimeout and bodies within BodyTimeout.
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opt.HeaderTimeout,
		IdleTimeout:       s.opt.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		// No ReadTimeout or WriteTimeout: they would cut the streams.
		// Bodies are bounded by BodyTimeout (ServeHTTP), stream writes
		// by WriteTimeout.
	}
	srv.RegisterOnShutdown(s.CloseStreams)
	lim := limitPerSource(ln, s.opt.MaxConnsPerSource, s.metrics.connRefused.Inc)
	return httpserve.Serve(ctx, srv, lim, 10*time.Second, "relay")
}
