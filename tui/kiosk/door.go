package kiosk

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
)

// Defaults of the kiosk door: how long a connection may take to log in,
// and how many connections may be waiting to, in all and from one
// source address.
const (
	DefaultLoginTimeout    = 15 * time.Second
	DefaultMaxUnauth       = 64
	DefaultMaxUnauthSource = 8
)

// door keeps connections that have not logged in on a short leash: each
// must finish the SSH handshake and public-key login within the login
// timeout or is closed, and only so many may be waiting at once (in all
// and per source), so a host that opens connections and says nothing
// cannot hold the door. Logged-in sessions answer to the idle timeout
// only.
type door struct {
	timeout         time.Duration
	max, maxPerHost int
	log             *slog.Logger
	metrics         *Metrics

	mu      sync.Mutex
	waiting int
	perHost map[string]int
}

func newDoor(timeout time.Duration, max, maxPerHost int, log *slog.Logger, m *Metrics) *door {
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	if max <= 0 {
		max = DefaultMaxUnauth
	}
	if maxPerHost <= 0 {
		maxPerHost = DefaultMaxUnauthSource
	}
	return &door{timeout: timeout, max: max, maxPerHost: maxPerHost, log: log, metrics: m, perHost: map[string]int{}}
}

// admit is the SSH server's ConnCallback: it refuses a connection over
// the caps (nil closes it) and closes it at the login timeout unless it
// has logged in by then.
func (d *door) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	host := sourceHost(conn.RemoteAddr())
	d.mu.Lock()
	if d.waiting >= d.max || d.perHost[host] >= d.maxPerHost {
		d.mu.Unlock()
		d.metrics.refusedFor("too_many_waiting")
		d.log.Warn("refused connection: too many waiting to log in", "from", host)
		return nil
	}
	d.waiting++
	d.perHost[host]++
	d.mu.Unlock()
	c := &doorConn{Conn: conn}
	c.leave = sync.OnceFunc(func() { d.leave(host) })
	time.AfterFunc(d.timeout, func() {
		if ctx.Value(ssh.ContextKeyConn) == nil { // no login yet
			d.metrics.refusedFor("login_timeout")
			d.log.Warn("closed connection: no login in time", "from", host, "after", d.timeout)
			conn.Close()
		}
		c.leave()
	})
	return c
}

// leave counts one waiting connection out: it logged in, or it closed.
func (d *door) leave(host string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.waiting--
	if d.perHost[host]--; d.perHost[host] <= 0 {
		delete(d.perHost, host)
	}
}

// doorConn counts its connection out of the waiting ones when it closes.
type doorConn struct {
	net.Conn
	leave func()
}

func (c *doorConn) Close() error {
	c.leave()
	return c.Conn.Close()
}

// sourceHost is the address a connection comes from, without its port.
func sourceHost(a net.Addr) string {
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}
