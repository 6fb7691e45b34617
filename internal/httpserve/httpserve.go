// Package httpserve runs an http.Server for as long as a context lives.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve serves srv on ln until ctx ends (or the server fails), then
// shuts it down, giving requests in flight up to grace to finish. what
// names the server in errors ("relay", "metrics").
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, what string) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", what, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shut down %s: %w", what, err)
	}
	return nil
}
