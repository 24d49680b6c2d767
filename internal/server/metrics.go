package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kofu-oss/kofu/internal/backup"
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

func newMetrics(db *store.DB, backups *backup.Scheduler) *metrics {
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
	if backups != nil {
		m.reg.MustRegister(backupGauges(backups)...)
	}
	return m
}

// backupGauges report the last scheduled backup: when it ran and whether
// it succeeded, so monitoring can alert on a missing or failed backup.
func backupGauges(b *backup.Scheduler) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kofu_backup_last_run_timestamp_seconds",
			Help: "Time of the last scheduled backup (0: none yet)."}, func() float64 {
			if at := b.Last().At; !at.IsZero() {
				return float64(at.Unix())
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kofu_backup_last_success",
			Help: "1 when the last scheduled backup succeeded, 0 when it failed or none ran."}, func() float64 {
			if last := b.Last(); !last.At.IsZero() && last.Err == "" {
				return 1
			}
			return 0
		}),
	}
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

// admissionGauges report the public site's admission: how many requests
// were sent to the waiting page (by the slots they lacked: any, or one of
// those for writing; "late" those that waited for one in vain), how many
// wait for a slot now, and the recent service time the wait is judged by.
func admissionGauges(a *admission) []prometheus.Collector {
	var out []prometheus.Collector
	for name, l := range map[string]*lane{"all": a.all, "write": a.writes} {
		out = append(out,
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kofu_public_shed_total", ConstLabels: prometheus.Labels{"lane": name},
				Help: "Citizen requests answered with the waiting page (503), by the slots they lacked."},
				func() float64 { return float64(l.shed.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kofu_public_shed_late_total", ConstLabels: prometheus.Labels{"lane": name},
				Help: "Of those, the requests that waited for a slot in vain."}, func() float64 { return float64(l.late.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kofu_public_queued", ConstLabels: prometheus.Labels{"lane": name},
				Help: "Citizen requests waiting for a slot now."}, func() float64 { return float64(l.queued.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kofu_public_service_seconds", ConstLabels: prometheus.Labels{"lane": name},
				Help: "Recent time a citizen request held a slot (moving average)."}, func() float64 {
				return time.Duration(l.service.Load()).Seconds()
			}))
	}
	return append(out, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kofu_public_waiting",
		Help: "Visitors holding a place on the waiting page."}, func() float64 { return float64(a.nWaiting.Load()) }))
}
