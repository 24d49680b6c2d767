package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kofu-oss/kofu/internal/store"
)

// metrics are the server's Prometheus series, on a registry of its own (no
// global state, so tests can run several servers).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	logins   *prometheus.CounterVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kofu_http_requests_total",
			Help: "HTTP requests by route and status."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kofu_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kofu_logins_total",
			Help: "Staff login attempts by result."}, []string{"result"}),
	}
	m.logins.WithLabelValues("ok")
	m.logins.WithLabelValues("failed")
	m.reg.MustRegister(m.requests, m.latency, m.logins,
		collectors.NewDBStatsCollector(db.WritePool(), "kofu"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Login counts a login outcome.
func (m *metrics) Login(ok bool) {
	if ok {
		m.logins.WithLabelValues("ok").Inc()
	} else {
		m.logins.WithLabelValues("failed").Inc()
	}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
