package relay

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// limiter is a token bucket per source: rate tokens a second, at most
// burst saved up. Buckets that have filled up again (idle sources) are
// forgotten every sweepEvery, and when a new source comes while the
// map holds maxBuckets, so a scan from many addresses cannot grow it for ever.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*tokenBucket
	lastSweep time.Time
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

const (
	// maxBuckets is when idle buckets are swept at once.
	maxBuckets = 10000
	// sweepEvery is how often idle buckets are swept anyway.
	sweepEvery = time.Minute
)

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*tokenBucket{}, lastSweep: now()}
}

// allow takes one token from key's bucket, if there is one.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep forgets buckets that would be full by now: a new bucket starts
// full, so forgetting them changes nothing.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// size is the number of buckets kept.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// sourceKey is who a remote address ("host:port") counts as for rate
// and connection limits: an IPv4 address itself, an IPv6 address's /64
// (one host or one customer network usually has a whole /64, so keying
// on single IPv6 addresses would give it 2^64 buckets).
//
// The relay is meant to face the providers directly; behind a proxy
// every request shares the proxy's address, so size the limits for that
// or keep the client address at the TCP level.
func sourceKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
