package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Run is `qrtill relay --addr ADDR --data DIR --tokens FILE`: it loads the
// tokens file, opens the relay's store in dataDir and serves on addr until
// ctx ends, then shuts down (open streams ended, requests in flight
// answered) and closes the store. logf gets the relay's log lines; nil
// discards them.
func Run(ctx context.Context, addr, dataDir, tokensFile string, logf func(format string, args ...any)) error {
	tokens, err := LoadTokens(tokensFile)
	if err != nil {
		return err
	}
	s, err := Open(dataDir, Options{Tokens: tokens, Logf: logf})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if logf != nil {
		logf("relay: listening on %s for %d tills, data in %s", ln.Addr(), len(tokens), dataDir)
	}
	err = Serve(ctx, ln, s)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close relay store: %w", cerr)
	}
	return err
}

// Serve serves s on ln until ctx ends, then shuts the HTTP server down
// within 10 seconds. It does not close s.
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		// No ReadTimeout or WriteTimeout: they would cut the streams.
		// Bodies are bounded by MaxBody, stream writes by WriteTimeout.
	}
	srv.RegisterOnShutdown(s.CloseStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve relay: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shut down relay: %w", err)
	}
	return nil
}
