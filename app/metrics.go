package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"qrtill/pos"
)

// tillMetrics counts what the till does, for /metrics on `qrtill serve`:
// its order events by kind (created, paid, refunded, cancelled, …),
// failed provider queries by channel, and the payments it follows now.
type tillMetrics struct {
	events   *prometheus.CounterVec
	failures *prometheus.CounterVec
	inFlight prometheus.GaugeFunc
}

// TillMetrics are the till's metrics and the service that keeps them up
// to date from its broadcasts; register the collectors with an endpoint
// and add the service with Go.
func (a *App) TillMetrics() ([]prometheus.Collector, Service) {
	m := &tillMetrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qrtill_till_order_events_total",
			Help: "Order events stored, by kind (created, paid, refunded, order_cancelled, …)."}, []string{"kind"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qrtill_till_provider_failures_total",
			Help: "Provider queries that failed (no answer, 5xx), by channel."}, []string{"channel"}),
		inFlight: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qrtill_till_payments_in_flight",
			Help: "Payment attempts the till is following now."}, func() float64 { return float64(a.till.Watching()) }),
	}
	return []prometheus.Collector{m.events, m.failures, m.inFlight}, Service{Name: "till metrics", Run: m.follow(a.till)}
}

// follow counts the till's broadcasts until ctx ends.
func (m *tillMetrics) follow(t *pos.Till) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		updates, stop := t.Subscribe()
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case u, ok := <-updates:
				if !ok {
					return nil
				}
				m.count(u)
			}
		}
	}
}

func (m *tillMetrics) count(u pos.Update) {
	if u.Event != nil {
		m.events.WithLabelValues(string(u.Event.Kind)).Inc()
	}
	if u.Poll != nil && u.Poll.Err != nil {
		m.failures.WithLabelValues(string(u.Poll.Channel)).Inc()
	}
}
