package relay

import "time"

// Clock is the time source of a Server (received_at stamps, the rate
// limiter, the pruning loop) and of a Client (reconnect backoff). Tests
// inject a fake one; nil means the real clock.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
