package bookapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"qrtill/storage"
)

// maxSocketPath is the longest socket path every unix takes (sun_path is
// 104 bytes on the BSDs, 108 on Linux, with its NUL).
const maxSocketPath = 103

// Error kinds on the wire, so a Client's errors match the same sentinels.
const (
	kindBadQuery = "bad_query"
	kindBadPath  = "bad_path"
	kindDamaged  = "damaged"
	kindFailed   = "failed"
)

// apiError is an error answer's body.
type apiError struct {
	Error string `json:"error"` // one sentence for the person asking
	Kind  string `json:"kind"`
}

// backupRequest and backupAnswer are POST /v1/backup's bodies.
type backupRequest struct {
	Path string `json:"path"`
}

type backupAnswer struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}

// Server serves a Reader on a unix socket.
type Server struct {
	path string
	ln   net.Listener
	http *http.Server
}

// Listen makes the socket at path (mode 0600; the data dir should be
// 0700), replacing a stale one a crashed till left, and returns the
// server; call Serve to answer. Another live server on path is an error.
// log gets one line per failed request (never a body).
func Listen(path string, r Reader, log *slog.Logger) (*Server, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("listen on %s: the path is %d bytes, sockets take at most %d; use a shorter --data", path, len(path), maxSocketPath)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	h := &handler{r: r, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, req *http.Request) { h.answer(w, req, struct{}{}, nil) })
	mux.HandleFunc("GET /v1/orders", h.orders)
	mux.HandleFunc("GET /v1/report", h.report)
	mux.HandleFunc("POST /v1/backup", h.backup)
	return &Server{path: path, ln: ln, http: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// Run serves r on the socket at path until ctx ends, then shuts down,
// giving the questions being answered shutdownWait. It fits an errgroup
// in the till's assembly:
//
//	g.Go(func() error { return bookapi.Run(ctx, bookapi.SocketPath(data), bookapi.NewLocal(db, nil), log) })
func Run(ctx context.Context, path string, r Reader, log *slog.Logger) error {
	s, err := Listen(path, r, log)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		s.Close()
	}
	return <-served
}

// shutdownWait is how long Run waits for answers in progress at the end.
const shutdownWait = 5 * time.Second

// removeStale removes a socket nobody answers on; anything else at path
// is left alone and refused.
func removeStale(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("listen on %s: %w", path, err)
	case st.Mode()&os.ModeSocket == 0:
		return fmt.Errorf("listen on %s: it exists and is not a socket; move it away", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("listen on %s: another qrtill answers there; close it or pass --data", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	return nil
}

// SocketPath is the socket in the data dir dataDir.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, SocketName) }

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers until Shutdown or Close, and then returns nil.
func (s *Server) Serve() error {
	if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", s.path, err)
	}
	return nil
}

// Shutdown stops taking questions, waits for the ones being answered
// (until ctx ends) and removes the socket.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.http.Shutdown(ctx)
}

// Close stops at once and removes the socket.
func (s *Server) Close() error {
	err := s.http.Close()
	s.ln.Close() // never served: http.Server does not know the listener
	return err
}

// handler answers the requests from a Reader.
type handler struct {
	r   Reader
	log *slog.Logger
}

func (h *handler) orders(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	l, err := h.r.Orders(req.Context(), Query{Day: q.Get("day"), All: q.Get("all") == "1", Status: q.Get("status")})
	h.answer(w, req, l, err)
}

func (h *handler) report(w http.ResponseWriter, req *http.Request) {
	rep, err := h.r.Report(req.Context(), req.URL.Query().Get("day"))
	h.answer(w, req, rep, err)
}

func (h *handler) backup(w http.ResponseWriter, req *http.Request) {
	var body backupRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<16)).Decode(&body); err != nil {
		h.answer(w, req, nil, fmt.Errorf("read backup request: %v: %w", err, ErrBadQuery))
		return
	}
	if !filepath.IsAbs(body.Path) {
		h.answer(w, req, nil, fmt.Errorf("backup path %q is not absolute: %w", body.Path, ErrBadQuery))
		return
	}
	n, err := h.r.Backup(req.Context(), body.Path)
	h.answer(w, req, backupAnswer{Path: body.Path, Bytes: n}, err)
}

// answer writes v as JSON, or err as an apiError.
func (h *handler) answer(w http.ResponseWriter, req *http.Request, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err == nil {
		_ = json.NewEncoder(w).Encode(v)
		return
	}
	h.log.Warn("book api request failed", "method", req.Method, "path", req.URL.Path, "err", err)
	status, body := http.StatusInternalServerError, apiError{Error: err.Error(), Kind: kindFailed}
	var damaged *storage.DamagedError
	switch {
	case errors.Is(err, ErrBadQuery):
		status, body.Kind = http.StatusBadRequest, kindBadQuery
	case errors.Is(err, storage.ErrBadBackupPath):
		status, body.Kind = http.StatusBadRequest, kindBadPath
	case errors.As(err, &damaged):
		body.Kind, body.Error = kindDamaged, damaged.Error()
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
