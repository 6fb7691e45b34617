package relay

import "github.com/prometheus/client_golang/prometheus"

var (
	descCommits = prometheus.NewDesc("qrtill_relay_store_commits_total",
		"Transactions the bbolt writer committed.", nil, nil)
	descOps = prometheus.NewDesc("qrtill_relay_store_operations_total",
		"Appends and acks in those commits (operations per commit: their ratio).", nil, nil)
	descFsyncs = prometheus.NewDesc("qrtill_relay_store_fsyncs_total",
		"Fsyncs the commits cost (bbolt: two per commit, one more when the file grows).", nil, nil)
	descFileBytes = prometheus.NewDesc("qrtill_relay_store_file_bytes",
		"Size of relay.db on disk.", nil, nil)
)

// Describe implements prometheus.Collector: the writer's counters.
func (s *BoltStore) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCommits, descOps, descFsyncs, descFileBytes} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *BoltStore) Collect(ch chan<- prometheus.Metric) {
	st := s.CommitStats()
	ch <- prometheus.MustNewConstMetric(descCommits, prometheus.CounterValue, float64(st.Commits))
	ch <- prometheus.MustNewConstMetric(descOps, prometheus.CounterValue, float64(st.Ops))
	ch <- prometheus.MustNewConstMetric(descFsyncs, prometheus.CounterValue, float64(st.Fsyncs))
	if size, err := s.FileSize(); err == nil {
		ch <- prometheus.MustNewConstMetric(descFileBytes, prometheus.GaugeValue, float64(size))
	}
}
