package kiosk_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"qrtill/assets"
	"qrtill/internal/metrics"
	"qrtill/internal/testkit"
	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
	"qrtill/tui/kiosk"
)

// idleTill draws the sale screen; these tests are about who gets in.
type idleTill struct{ tui.Till }

func (idleTill) Now() time.Time               { return time.Now() }
func (idleTill) Channels() []payments.Channel { return []payments.Channel{payments.Alipay} }

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serveWith serves with the configuration edited by edit (nil: as is).
func serveWith(t *testing.T, keysFile string, edit func(*kiosk.Config)) string {
	t.Helper()
	keys, err := kiosk.LoadAuthorizedKeys(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := pos.LoadCatalogCSV("demo", bytes.NewReader(assets.CatalogCSV))
	cfg := kiosk.Config{Addr: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "host_ed25519"),
		AuthorizedKeys: keys, Till: idleTill{}, Catalog: cat, Lang: tui.English, Shop: "Test shop",
		Subscribe: func() (<-chan pos.Update, func()) {
			ch := make(chan pos.Update)
			var once sync.Once
			return ch, func() { once.Do(func() { close(ch) }) }
		},
		Log: testkit.Logger(t)}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := kiosk.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	})
	return ln.Addr().String()
}

func TestOnlyAuthorizedKeysGetIn(t *testing.T) {
	ann, stranger := newSigner(t), newSigner(t)
	keysFile := filepath.Join(t.TempDir(), "authorized_keys")
	line := "manager " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(ann.PublicKey()))) + " ann\n"
	os.WriteFile(keysFile, []byte("# kiosk terminals\n"+line), 0o600)
	m := kiosk.NewMetrics()
	addr := serveWith(t, keysFile, func(c *kiosk.Config) { c.Metrics = m })

	dial := func(auth ...gossh.AuthMethod) (*gossh.Client, error) {
		return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "till", Auth: auth,
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	}
	if _, err := dial(gossh.PublicKeys(stranger)); err == nil {
		t.Fatal("an unknown key got in")
	}
	if _, err := dial(gossh.Password("secret")); err == nil {
		t.Fatal("a password got in")
	}
	if _, err := dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		return []string{"secret"}, nil
	})); err == nil {
		t.Fatal("keyboard-interactive got in")
	}

	client, err := dial(gossh.PublicKeys(ann))
	if err != nil {
		t.Fatalf("authorized key refused: %v", err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	sess.Stdout = &out
	stdin, _ := sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	// Answer the terminal queries a real terminal answers (background
	// colour, device attributes).
	waitOut(t, &out, "\x1b[c")
	stdin.Write([]byte("\x1b]11;rgb:0000/0000/0000\a\x1b[?62;22c"))
	waitOut(t, &out, "Scan or type")
	waitOut(t, &out, "ann") // the cashier's name from the key comment
	stdin.Write([]byte("6921168509256\r"))
	waitOut(t, &out, "Nongfu Spring")
	waitOut(t, &out, "day report") // a manager's help bar offers the report
	metric := metricsText(t, m)
	for _, want := range []string{"qrtill_kiosk_sessions_open 1", "qrtill_kiosk_sessions_total 1", `qrtill_kiosk_refused_total{reason="unknown_key"}`} {
		if !strings.Contains(metric, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metric)
		}
	}
	stdin.Write([]byte{3}) // ctrl+c
}

// metricsText is what /metrics shows of the kiosk's metrics.
func metricsText(t *testing.T, m *kiosk.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.NewEndpoint("", m.Collectors()...).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitOut waits for want in the session's output, as sent or with the
// escape sequences taken out (styled text is split by them).
func waitOut(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s := out.String(); !strings.Contains(s, want) && !strings.Contains(ansi.Strip(s), want); s = out.String() {
		if time.Now().After(deadline) {
			t.Fatalf("session never showed %q; got %q", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAuthorizedKeysErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("ssh-ed25519 notbase64!!! x\n"), 0o600)
	if _, err := kiosk.LoadAuthorizedKeys(bad); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad line: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("# nobody\n"), 0o600)
	if _, err := kiosk.LoadAuthorizedKeys(empty); err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Fatalf("empty: %v", err)
	}
}
