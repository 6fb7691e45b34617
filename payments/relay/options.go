package relay

import (
	"log/slog"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultRetention         = 72 * time.Hour
	DefaultAckedRetention    = time.Hour
	DefaultPruneEvery        = 10 * time.Minute
	DefaultHeartbeat         = 15 * time.Second
	DefaultMaxBody           = 64 << 10
	DefaultRate              = 50
	DefaultBurst             = 200
	DefaultWriteTimeout      = 30 * time.Second
	DefaultBodyTimeout       = 10 * time.Second
	DefaultHeaderTimeout     = 10 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxConnsPerSource = 64
)

// Options configure a Server. Only Tokens is required.
type Options struct {
	// Tokens are the tills this relay serves and their token hashes
	// (LoadTokens reads them from the tokens file). Any other till is 404.
	Tokens Tokens
	// Retention: notifications nobody acknowledged are deleted after it.
	Retention time.Duration
	// AckedRetention: acknowledged notifications are deleted after it.
	AckedRetention time.Duration
	// PruneEvery is how often the pruning loop runs; negative turns the
	// loop off (call Prune yourself).
	PruneEvery time.Duration
	// Heartbeat is the interval of the SSE comment lines that keep idle
	// streams (and the proxies on the way) alive.
	Heartbeat time.Duration
	// MaxBody is the largest notification body taken; larger is 413.
	MaxBody int64
	// Rate and Burst limit notifications per source (token bucket: Rate
	// a second, Burst at once) — an IPv4 address or an IPv6 /64; over
	// the limit is 429. Alipay and WeChat post from a few addresses for
	// every till, so keep it wide.
	Rate  float64
	Burst int
	// Quota bounds each till's stored notifications (507 when full).
	Quota Quota
	// BatchDelay: how long the bbolt writer waits for more work to share
	// a commit (BoltOptions.BatchDelay; 0 commits at once).
	BatchDelay time.Duration
	// CompactAbove: BoltOptions.CompactAbove.
	CompactAbove int64
	// WriteTimeout bounds each write to a till's stream; a till that stops
	// reading is dropped.
	WriteTimeout time.Duration
	// BodyTimeout: a request whose body is not in this long after its
	// headers is cut (408).
	BodyTimeout time.Duration
	// HeaderTimeout bounds reading a request's headers and IdleTimeout
	// an idle keep-alive connection (Serve).
	HeaderTimeout, IdleTimeout time.Duration
	// MaxConnsPerSource bounds the connections open at once from one
	// source (Serve); more are closed as they come.
	MaxConnsPerSource int
	// MetricsToken, when set, serves GET /metrics (Prometheus text
	// format) to callers with "Authorization: Bearer <MetricsToken>".
	// Unset, /metrics is 404: never public by default.
	MetricsToken string
	// Clock stamps received_at and drives the rate limiter and the
	// pruning loop; nil is the real clock.
	Clock Clock
	// Log gets one line per event worth knowing (stream opened or
	// closed, a write failed, a notification refused, pruned): till ids,
	// ids, sizes — never tokens or bodies. Nil discards.
	Log *slog.Logger
}

func (o *Options) fill() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Retention, DefaultRetention)
	def(&o.AckedRetention, DefaultAckedRetention)
	def(&o.PruneEvery, DefaultPruneEvery)
	def(&o.Heartbeat, DefaultHeartbeat)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	def(&o.BodyTimeout, DefaultBodyTimeout)
	def(&o.HeaderTimeout, DefaultHeaderTimeout)
	def(&o.IdleTimeout, DefaultIdleTimeout)
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.MaxConnsPerSource <= 0 {
		o.MaxConnsPerSource = DefaultMaxConnsPerSource
	}
	o.Quota = o.Quota.withDefaults()
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}
