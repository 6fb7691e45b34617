package relay

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"qrtill/payments"
)

// keptHeaders are the request headers a till needs to verify a notification.
var keptHeaders = []string{"Content-Type", "Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Timestamp",
	"Wechatpay-Nonce", "Wechatpay-Signature-Type", "Request-Id", "User-Agent"}

// MaxBody bounds one notification; real ones are a few KB.
const MaxBody = 64 << 10

// HashToken is what the tokens file keeps of a till's token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// LoadTokens reads a tokens file: one `till_id sha256:<hex>` a line, #
// comments. The file must not be readable by others.
func LoadTokens(path string) (map[string]string, error) {
	data, err := payments.ReadSecretFile(path)
	if err != nil {
		return nil, err
	}
	tokens := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2 || !strings.HasPrefix(f[1], "sha256:") || len(f[1]) != 7+64 {
			return nil, fmt.Errorf("tokens %s line %d: write it as `till_id sha256:<64 hex>` (see relay.HashToken)", path, line)
		}
		tokens[f[0]] = f[1]
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("tokens %s has no tills; add one line per till", path)
	}
	return tokens, nil
}

// Options tune a server.
type Options struct {
	Retention time.Duration // unacknowledged records older than this are pruned; default 72 h
	Heartbeat time.Duration // SSE comment interval; default 15 s
	RatePerIP int           // notifications per second per source IP; default 50
	Clock     func() time.Time
	Logf      func(format string, args ...any)
}

// Server is the relay: an http.Handler.
type Server struct {
	st     *store
	tokens map[string]string // till → token hash
	opt    Options
	mux    *http.ServeMux
	start  time.Time

	mu      sync.Mutex
	waiters map[string]chan struct{} // till → closed when something new arrives
	online  map[string]int           // till → connected streams
	rates   map[string]*bucket
}

// Open opens (or creates) the relay's store in dir.
func Open(dir string, tokens map[string]string, opt Options) (*Server, error) {
	st, err := openStore(dir)
	if err != nil {
		return nil, err
	}
	if opt.Retention <= 0 {
		opt.Retention = 72 * time.Hour
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	if opt.RatePerIP <= 0 {
		opt.RatePerIP = 50
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	s := &Server{st: st, tokens: tokens, opt: opt, mux: http.NewServeMux(), start: opt.Clock(),
		waiters: map[string]chan struct{}{}, online: map[string]int{}, rates: map[string]*bucket{}}
	s.mux.HandleFunc("POST /n/{till}/{channel}", s.receive)
	s.mux.HandleFunc("GET /t/{till}/events", s.stream)
	s.mux.HandleFunc("POST /t/{till}/ack", s.ack)
	s.mux.HandleFunc("GET /healthz", s.health)
	return s, nil
}

// ServeHTTP serves the relay's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases the store.
func (s *Server) Close() error { return s.st.close() }

// Prune drops records past the retention window; call it periodically.
func (s *Server) Prune() (int, error) {
	return s.st.pruneOlderThan(s.opt.Clock().Add(-s.opt.Retention))
}

func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	till, ch := r.PathValue("till"), payments.Channel(r.PathValue("channel"))
	if _, ok := s.tokens[till]; !ok || !ch.Valid() {
		http.NotFound(w, r)
		return
	}
	if !s.allow(clientIP(r)) {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	rec := Record{Till: till, Channel: string(ch), ReceivedAt: s.opt.Clock(), Header: http.Header{}, Body: body}
	for _, h := range keptHeaders {
		if v := r.Header.Values(h); len(v) > 0 {
			rec.Header[h] = v
		}
	}
	rec, err = s.st.add(rec)
	if err != nil {
		// Not stored: make the provider try again.
		s.opt.Logf("relay: store %s notification for %s: %v", ch, till, err)
		if ch == payments.Alipay {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "fail")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"code":"FAIL","message":"relay could not store the notification"}`)
		return
	}
	s.wake(till)
	if ch == payments.Alipay {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "success")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// authorized checks the bearer token for a till in constant time.
func (s *Server) authorized(r *http.Request, till string) bool {
	want, ok := s.tokens[till]
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(HashToken(got)), []byte(want)) == 1
}

func (s *Server) waiter(till string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.waiters[till]
	if c == nil {
		c = make(chan struct{})
		s.waiters[till] = c
	}
	return c
}

func (s *Server) wake(till string) {
	s.mu.Lock()
	if c := s.waiters[till]; c != nil {
		close(c)
		delete(s.waiters, till)
	}
	s.mu.Unlock()
}

// stream sends every record after the last acknowledged one, then new
// ones as they arrive, as SSE events with their ids.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	till := r.PathValue("till")
	if !s.authorized(r, till) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.online[till]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.online[till]--
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	sent, err := s.st.acked(till)
	if err != nil {
		return
	}
	heartbeat := time.NewTicker(s.opt.Heartbeat)
	defer heartbeat.Stop()
	for {
		wait := s.waiter(till)
		recs, err := s.st.after(till, sent, 256)
		if err != nil {
			s.opt.Logf("relay: read %s: %v", till, err)
			return
		}
		for _, rec := range recs {
			data, _ := json.Marshal(rec)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: notification\ndata: %s\n\n", rec.ID, data); err != nil {
				return
			}
			sent = rec.ID
		}
		flusher.Flush()
		if len(recs) == 256 {
			continue
		}
		select {
		case <-wait:
		case <-heartbeat.C:
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	till := r.PathValue("till")
	if !s.authorized(r, till) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req struct {
		ID uint64 `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&req); err != nil || req.ID == 0 {
		http.Error(w, `ack body must be {"id": N}`, http.StatusBadRequest)
		return
	}
	if err := s.st.ack(till, req.ID); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	type tillHealth struct {
		Connected bool `json:"connected"`
		Backlog   int  `json:"backlog"`
	}
	out := struct {
		UptimeSeconds int64                 `json:"uptime_seconds"`
		Tills         map[string]tillHealth `json:"tills"`
	}{int64(s.opt.Clock().Sub(s.start).Seconds()), map[string]tillHealth{}}
	s.mu.Lock()
	online := map[string]int{}
	for k, v := range s.online {
		online[k] = v
	}
	s.mu.Unlock()
	for till := range s.tokens {
		out.Tills[till] = tillHealth{Connected: online[till] > 0, Backlog: s.st.backlog(till)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// bucket is a per-IP token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

func (s *Server) allow(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock()
	b := s.rates[ip]
	if b == nil {
		b = &bucket{tokens: float64(s.opt.RatePerIP), last: now}
		s.rates[ip] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * float64(s.opt.RatePerIP)
	if max := float64(s.opt.RatePerIP); b.tokens > max {
		b.tokens = max
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Run is `qrtill relay`: the relay on addr until ctx ends, pruning past
// the retention window every hour.
func Run(ctx context.Context, addr, dataDir, tokensFile string, logf func(string, ...any)) error {
	tokens, err := LoadTokens(tokensFile)
	if err != nil {
		return err
	}
	s, err := Open(dataDir, tokens, Options{Logf: logf})
	if err != nil {
		return err
	}
	defer s.Close()
	srv := &http.Server{Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				srv.Shutdown(sctx)
				cancel()
				return
			case <-t.C:
				if n, err := s.Prune(); err == nil && n > 0 {
					logf("relay: pruned %d notifications past retention", n)
				}
			}
		}
	}()
	logf("relay on %s for %d tills", addr, len(tokens))
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
