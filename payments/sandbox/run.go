package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Listen opens addr and returns the listener and the base URL clients and
// phones should use: the address itself, or for a wildcard host
// (":8700", "0.0.0.0:8700") this machine's first LAN address, so a phone
// on the same network can open the wallet page.
func Listen(addr string) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = lanAddress()
	}
	return ln, fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(tcp.Port))), nil
}

// lanAddress is the first non-loopback IPv4 address, or 127.0.0.1.
func lanAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

// Serve runs a gateway on ln until ctx ends, then closes the gateway
// (which also releases requests hung by the timeout fault) and shuts the
// server down within five seconds.
func Serve(ctx context.Context, ln net.Listener, g *Gateway) error {
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		g.Close()
		return err
	case <-ctx.Done():
	}
	g.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// Run is `qrtill sandbox`: the gateway alone on addr, its keys and
// sandbox.json in stateDir, until ctx ends.
// log may be nil.
func Run(ctx context.Context, addr, stateDir string, timeScale float64, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, base, err := Listen(addr)
	if err != nil {
		return err
	}
	g, err := New(Config{StateDir: stateDir, BaseURL: base, TimeScale: timeScale, Log: log})
	if err != nil {
		ln.Close()
		return err
	}
	log.Info("sandbox gateway", "base_url", base, "state", stateDir)
	return Serve(ctx, ln, g)
}
