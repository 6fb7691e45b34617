package relay

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a notification (or a connection) is refused, the "reason"
// label of qrtill_relay_notifications_refused_total.
const (
	reasonUnknownTill = "unknown_till"
	reasonRate        = "rate_limited"
	reasonTooLarge    = "too_large"
	reasonSlowBody    = "slow_body"
	reasonUnreadable  = "unreadable"
	reasonShape       = "bad_shape"
	reasonProbe       = "signature_probe"
	reasonQuota       = "quota_full"
	reasonStore       = "store_failed"
)

// relayMetrics are the relay's Prometheus metrics. Counters are kept as
// things happen; the store's figures are read at each scrape.
type relayMetrics struct {
	s           *Server
	accepted    *prometheus.CounterVec
	refused     *prometheus.CounterVec
	connRefused prometheus.Counter
	ackLatency  prometheus.Histogram
	streams     *prometheus.Desc
	backlog     *prometheus.Desc
	stored      *prometheus.Desc
	storedBytes *prometheus.Desc
}

func newRelayMetrics(s *Server) *relayMetrics {
	till := []string{"till"}
	return &relayMetrics{
		s: s,
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qrtill_relay_notifications_accepted_total",
			Help: "Notifications stored and acknowledged to the provider."}, []string{"channel"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qrtill_relay_notifications_refused_total",
			Help: "Notifications refused (the provider is told to retry or gives up), by reason."}, []string{"channel", "reason"}),
		connRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "qrtill_relay_connections_refused_total",
			Help: "Connections closed at once because their source had too many open."}),
		ackLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qrtill_relay_ack_latency_seconds",
			Help:    "From a notification stored to its till's acknowledgement.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600}}),
		streams: prometheus.NewDesc("qrtill_relay_stream_connections", "Tills with their event stream open.", nil, nil),
		backlog: prometheus.NewDesc("qrtill_relay_backlog", "Notifications stored and not acknowledged, per till.", till, nil),
		stored:  prometheus.NewDesc("qrtill_relay_stored_notifications", "Notifications stored until pruned, per till.", till, nil),
		storedBytes: prometheus.NewDesc("qrtill_relay_stored_bytes",
			"Bytes of the notifications stored until pruned, per till.", till, nil),
	}
}

// Collector is the relay's metrics (and the store's, if it has any), to
// register wherever /metrics is served.
func (s *Server) Collector() prometheus.Collector { return s.metrics }

// Describe implements prometheus.Collector.
func (m *relayMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.accepted.Describe(ch)
	m.refused.Describe(ch)
	m.connRefused.Describe(ch)
	m.ackLatency.Describe(ch)
	for _, d := range []*prometheus.Desc{m.streams, m.backlog, m.stored, m.storedBytes} {
		ch <- d
	}
	if c, ok := m.s.st.(prometheus.Collector); ok {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *relayMetrics) Collect(ch chan<- prometheus.Metric) {
	m.accepted.Collect(ch)
	m.refused.Collect(ch)
	m.connRefused.Collect(ch)
	m.ackLatency.Collect(ch)
	ch <- prometheus.MustNewConstMetric(m.streams, prometheus.GaugeValue, float64(len(m.s.hub.connected())))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, till := range m.s.tills {
		st, err := m.s.st.Stats(ctx, till)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(m.backlog, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(m.backlog, prometheus.GaugeValue, float64(st.Backlog), till)
		ch <- prometheus.MustNewConstMetric(m.stored, prometheus.GaugeValue, float64(st.Stored), till)
		ch <- prometheus.MustNewConstMetric(m.storedBytes, prometheus.GaugeValue, float64(st.StoredBytes), till)
	}
	if c, ok := m.s.st.(prometheus.Collector); ok {
		c.Collect(ch)
	}
}

// ackedAfter records the ack latency of notifications received at times
// and acknowledged at now.
func (m *relayMetrics) ackedAfter(now time.Time, received []time.Time) {
	for _, at := range received {
		m.ackLatency.Observe(max(0, now.Sub(at).Seconds()))
	}
}
