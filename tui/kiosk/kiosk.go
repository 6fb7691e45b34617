// Package kiosk serves the till's screens to kiosk terminals over SSH
// (wish v1): public-key authentication against an authorized-keys file
// only, the cashier's name and role taken from the key, one sale per
// session on a shared till service and order book.
package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/wish/recover"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"qrtill/pos"
	"qrtill/tui"
)

// Cashier is who a key belongs to.
type Cashier struct {
	Name    string
	Manager bool // may refund and see the day report
}

// LoadAuthorizedKeys reads an OpenSSH authorized_keys file. The key's
// comment is the cashier's name; the option "manager" (e.g.
// `manager ssh-ed25519 AAAA… ann`) marks a manager. Errors name the line.
func LoadAuthorizedKeys(path string) (map[string]Cashier, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read authorized keys %s: %w", path, err)
	}
	keys := map[string]Cashier{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("authorized keys %s line %d: not a public key; copy the line from the terminal's .pub file", path, line)
		}
		c := Cashier{Name: strings.TrimSpace(comment)}
		if c.Name == "" {
			c.Name = gossh.FingerprintSHA256(key)[7:15]
		}
		for _, o := range options {
			if o == "manager" {
				c.Manager = true
			}
		}
		keys[string(key.Marshal())] = c
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("authorized keys %s has no keys; add one line per terminal", path)
	}
	return keys, nil
}

// Config configures the SSH server.
type Config struct {
	Addr           string
	HostKeyPath    string // made on first start if missing
	AuthorizedKeys map[string]Cashier
	IdleTimeout    time.Duration
	Till           tui.Till
	Subscribe      func() (<-chan pos.Update, func())
	Catalog        *pos.Catalog
	Lang           tui.Lang
	Shop           string
	// Log gets one line per session and per refused key; nil discards.
	Log *slog.Logger
	// Printer is the till's receipt printer, shared by the sessions; nil = none.
	Printer tui.Printer
	// LoginTimeout is how long a connection may take to log in (0:
	// DefaultLoginTimeout); MaxUnauth and MaxUnauthPerSource cap the
	// connections waiting to (0: the defaults).
	LoginTimeout                  time.Duration
	MaxUnauth, MaxUnauthPerSource int
	// Metrics counts sessions and refusals; nil = none.
	Metrics *Metrics
	// QRInvert is [tui] qr_invert (auto: each session's own terminal);
	// Demo marks a demo till on every session's screens.
	QRInvert string
	Demo     tui.DemoInfo
}

type ctxKey struct{}

// Server is the SSH server with the programs of its open sessions, so
// shutting down can tell every cashier first.
type Server struct {
	*ssh.Server
	lang tui.Lang

	mu       sync.Mutex
	programs map[*tea.Program]struct{}
}

// Shutdown tells every open session that the till is closing, then stops
// accepting connections and waits for sessions to end until ctx is done.
// Open payments stay in the order book for the next start's reconcile.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	for p := range s.programs {
		p.Send(tui.NoticeMsg{Text: tui.T(s.lang, "shutdown")})
	}
	s.mu.Unlock()
	return s.Server.Shutdown(ctx)
}

func (s *Server) track(p *tea.Program) func() {
	s.mu.Lock()
	s.programs[p] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
	}
}

// New builds the SSH server. Only public keys in the authorized set get
// in; passwords and keyboard-interactive are not offered.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	srv := &Server{lang: cfg.Lang, programs: map[*tea.Program]struct{}{}}
	opts := []ssh.Option{
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			c, ok := cfg.AuthorizedKeys[string(key.Marshal())]
			if !ok {
				cfg.Metrics.refusedFor("unknown_key")
				cfg.Log.Warn("refused key", "fingerprint", gossh.FingerprintSHA256(key), "user", ctx.User(), "from", ctx.RemoteAddr().String())
				return false
			}
			ctx.SetValue(ctxKey{}, c)
			return true
		}),
		wish.WithMiddleware(recover.Middleware(
			bm.MiddlewareWithProgramHandler(func(sess ssh.Session) *tea.Program { return program(cfg, srv, sess) }, termenv.ANSI256),
			activeterm.Middleware(),
		)),
	}
	if cfg.IdleTimeout > 0 {
		opts = append(opts, wish.WithIdleTimeout(cfg.IdleTimeout))
	}
	s, err := wish.NewServer(opts...)
	if err != nil {
		return nil, err
	}
	s.ConnCallback = newDoor(cfg.LoginTimeout, cfg.MaxUnauth, cfg.MaxUnauthPerSource, cfg.Log, cfg.Metrics).admit
	srv.Server = s
	return srv, nil
}

// program is one session's till screens.
func program(cfg Config, srv *Server, sess ssh.Session) *tea.Program {
	c, _ := sess.Context().Value(ctxKey{}).(Cashier)
	pty, _, _ := sess.Pty()
	updates, stop := cfg.Subscribe()
	m := tui.New(tui.Options{Till: cfg.Till, Catalog: cfg.Catalog, Cashier: c.Name, Manager: c.Manager,
		Terminal: "ssh " + sess.RemoteAddr().String(), Lang: cfg.Lang, ShopName: cfg.Shop,
		Renderer: bm.MakeRenderer(sess), Width: pty.Window.Width, Height: pty.Window.Height,
		Updates: updates, StopUpdates: stop, Context: sess.Context(), Logger: sessionLogger(cfg.Log, sess), Printer: cfg.Printer,
		QRInvert: cfg.QRInvert, Demo: cfg.Demo, Bell: func() { io.WriteString(sess, "\a") }})
	p := tea.NewProgram(m, append(bm.MakeOptions(sess), tea.WithAltScreen())...)
	untrack := srv.track(p)
	ended := cfg.Metrics.sessionStarted()
	go func() {
		<-sess.Context().Done()
		untrack()
		stop()
		ended()
	}()
	cfg.Log.Info("session", "cashier", c.Name, "manager", c.Manager, "from", sess.RemoteAddr().String())
	return p
}

// sessionLogger tags a session's log lines with where it comes from.
func sessionLogger(l *slog.Logger, sess ssh.Session) *slog.Logger {
	if l == nil {
		return nil
	}
	return l.With("remote", sess.RemoteAddr().String())
}
