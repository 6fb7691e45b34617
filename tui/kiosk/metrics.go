package kiosk

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the kiosk door and its sessions do, for /metrics
// on `qrtill serve`. A nil *Metrics counts nothing.
type Metrics struct {
	open    prometheus.Gauge
	started prometheus.Counter
	refused *prometheus.CounterVec
}

// NewMetrics makes the kiosk's metrics; register Collectors with an
// endpoint.
func NewMetrics() *Metrics {
	return &Metrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{Name: "qrtill_kiosk_sessions_open",
			Help: "SSH sessions showing the till now."}),
		started: prometheus.NewCounter(prometheus.CounterOpts{Name: "qrtill_kiosk_sessions_total",
			Help: "SSH sessions started since the server started."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qrtill_kiosk_refused_total",
			Help: "Connections refused, by reason: unknown_key, login_timeout, too_many_waiting."}, []string{"reason"}),
	}
}

// Collectors are the metrics to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.open, m.started, m.refused}
}

// sessionStarted counts a session in; the function it returns counts it
// out.
func (m *Metrics) sessionStarted() func() {
	if m == nil {
		return func() {}
	}
	m.started.Inc()
	m.open.Inc()
	return m.open.Dec
}

// refusedFor counts one refused connection.
func (m *Metrics) refusedFor(reason string) {
	if m != nil {
		m.refused.WithLabelValues(reason).Inc()
	}
}
