package kiosk_test

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"qrtill/tui/kiosk"
)

// closedWithin reports whether the server closes conn within d: reads
// (the server's banner first) end in EOF or a reset.
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

func doorKeys(t *testing.T) (string, gossh.Signer) {
	ann := newSigner(t)
	keysFile := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keysFile, []byte(strings.TrimSpace(string(gossh.MarshalAuthorizedKey(ann.PublicKey())))+" ann\n"), 0o600)
	return keysFile, ann
}

// A connection that never logs in — silence, or only a banner — is
// closed at the login timeout; one that logged in is not.
func TestLoginDeadline(t *testing.T) {
	keysFile, ann := doorKeys(t)
	const timeout = 300 * time.Millisecond
	m := kiosk.NewMetrics()
	addr := serveWith(t, keysFile, func(c *kiosk.Config) { c.LoginTimeout, c.Metrics = timeout, m })

	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "till", Auth: []gossh.AuthMethod{gossh.PublicKeys(ann)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	banner, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer banner.Close()
	io.WriteString(banner, "SSH-2.0-OpenSSH_9.2\r\n")
	start := time.Now()
	for name, c := range map[string]net.Conn{"silent": silent, "banner only": banner} {
		if !closedWithin(c, 5*time.Second) {
			t.Errorf("%s connection still open after 5 s", name)
		}
	}
	if took := time.Since(start); took < timeout/2 {
		t.Errorf("closed after %v, before the login timeout", took)
	}
	if metric := metricsText(t, m); !strings.Contains(metric, `qrtill_kiosk_refused_total{reason="login_timeout"} 2`) {
		t.Errorf("/metrics does not count the two closed connections:\n%s", metric)
	}
	// The logged-in client outlived the timeout and still opens sessions.
	sess, err := client.NewSession()
	if err != nil {
		t.Fatalf("a logged-in connection was cut: %v", err)
	}
	sess.Close()
}

// Only so many connections may wait to log in from one source; the next
// is closed at once, and room comes back when one leaves.
func TestWaitingConnectionsCapped(t *testing.T) {
	keysFile, _ := doorKeys(t)
	addr := serveWith(t, keysFile, func(c *kiosk.Config) {
		c.LoginTimeout, c.MaxUnauthPerSource = time.Minute, 2
	})
	// Three at once: the server takes them in any order, and exactly one
	// is turned away.
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	var held []net.Conn
	closed := 0
	for _, c := range conns {
		if closedWithin(c, time.Second) {
			closed++
		} else {
			held = append(held, c)
		}
	}
	if closed != 1 || len(held) != 2 {
		t.Fatalf("%d of 3 waiting connections from one source were turned away, want 1", closed)
	}
	held[1].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		again, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		open := !closedWithin(again, 200*time.Millisecond)
		again.Close()
		if open {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no room after a waiting connection left")
		}
	}
}
