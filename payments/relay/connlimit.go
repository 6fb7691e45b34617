package relay

import (
	"net"
	"sync"
)

// sourceLimitListener closes, as they are accepted, connections from a
// source (sourceKey) that already has max open, so that one host cannot
// hold every connection the relay can take.
type sourceLimitListener struct {
	net.Listener
	max     int
	refused func()

	mu   sync.Mutex
	open map[string]int
}

func limitPerSource(ln net.Listener, max int, refused func()) *sourceLimitListener {
	return &sourceLimitListener{Listener: ln, max: max, refused: refused, open: map[string]int{}}
}

// Accept returns the next connection within its source's limit.
func (l *sourceLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := sourceKey(c.RemoteAddr().String())
		if !l.take(key) {
			c.Close()
			l.refused()
			continue
		}
		return &countedConn{Conn: c, release: func() { l.give(key) }}, nil
	}
}

func (l *sourceLimitListener) take(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] >= l.max {
		return false
	}
	l.open[key]++
	return true
}

func (l *sourceLimitListener) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

// countedConn gives its place back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
