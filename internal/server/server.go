// Package server wires the HTTP side together: routes with their policies,
// middleware, operations endpoints and the background jobs.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/web"
)

// Server is the kofu HTTP server of one city: the route tables of its
// sites over the city's services (built once by app).
type Server struct {
	city    *app.City
	cfg     *config.Config
	db      *store.DB
	log     *slog.Logger
	auth    *auth.Service
	heads   *auditlog.Publisher
	metrics *metrics
	router  *route.Router
	ui      *web.UI
	handler http.Handler
	// admission holds back citizen requests in a rush (nil: no limit).
	admission *admission
	// hub feeds the call displays' event streams.
	hub *counter.Hub
	// counterDeps are what the counter day's pages share (the kiosk, the
	// display, the resident's own status page and the staff screens).
	counterDeps web.CounterDeps
	// staffSite tells whether the staff routes are served (the inbox
	// folder is watched only then).
	staffSite bool
}

// Options are what a server adds to its city: which sites it serves and
// the demo's fictional notice numbers for the top page.
type Options struct {
	DemoSamples []web.DemoSample
}

// sites are the route tables that --sites chooses from.
var sites = map[string][]func(*Server){
	"all":    {(*Server).publicRoutes, (*Server).staffRoutes},
	"public": {(*Server).publicRoutes},
	"staff":  {(*Server).staffRoutes},
}

// New builds the server of city and registers the routes of the sites
// city.Config.Sites names.
func New(city *app.City, o Options) (*Server, error) {
	cfg := city.Config
	tables, ok := sites[cfg.Sites]
	if !ok {
		tables = sites["all"]
	}
	s := &Server{city: city, cfg: cfg, db: city.DB, log: city.Log, auth: city.Auth,
		metrics: newMetrics(city.DB, city.Backups), heads: auditlog.NewPublisher(city.Log, cfg.AuditHeadDir)}
	ui, err := web.New(web.Deps{Auth: city.Auth, Audit: city.Audit, Ledger: city.Ledger, Intake: city.Intake,
		Gaiji: city.Gaiji, Reserve: city.Reserve, Texts: city.Texts, Challenge: city.Challenge, Session: s,
		Logins: s.metrics, Loc: cfg.Location, Clock: city.Clock, MailOn: city.MailOn, Backups: city.LastBackup})
	if err != nil {
		return nil, err
	}
	ui.SetDemoSamples(o.DemoSamples)
	s.ui = ui
	s.router = route.New(s, s.deny)
	s.registerOps()
	ui.RegisterAssets(s.router)
	s.hub = counter.NewHub(city.Counter)
	s.counterDeps = web.CounterDeps{Counter: city.Counter, Hub: s.hub, CallerOf: s.counterCaller(city.Counter),
		SetDevice: s.SetDevice, BaseURL: cfg.BaseURL}
	for _, register := range tables {
		register(s)
	}
	s.handler = s.observe(s.securityHeaders(s.admit(s.crossOrigin(s.router))))
	return s, nil
}

// publicRoutes is the citizen site: the booking flow, the resident's own
// ticket status and the public API.
func (s *Server) publicRoutes() {
	c, r := s.city, s.router
	s.ui.RegisterPublic(r)
	s.ui.RegisterWait(r, s.counterDeps)
	(&api.BookingHandlers{Reserve: c.Reserve, Challenge: c.Challenge}).RegisterPublic(r)
	(&api.TextHandlers{Texts: c.Texts}).RegisterPublic(r)
}

// staffRoutes is the back office and the staff API.
func (s *Server) staffRoutes() {
	c, r, ui, loc := s.city, s.router, s.ui, s.cfg.Location
	s.staffSite = true
	(&api.Handlers{Auth: c.Auth, Session: s, Logins: s.metrics}).Register(r)
	(&api.AuditHandlers{Log: c.Audit, Loc: loc}).Register(r)
	(&api.CardHandlers{Ledger: c.Ledger, Loc: loc}).Register(r)
	(&api.ImportHandlers{Intake: c.Intake}).Register(r)
	(&api.GaijiHandlers{Gaiji: c.Gaiji}).Register(r)
	(&api.BookingHandlers{Reserve: c.Reserve, Challenge: c.Challenge}).RegisterStaff(r)
	(&api.MailHandlers{Mail: c.Mail}).Register(r)
	ui.RegisterMail(r, c.Mail)
	ui.RegisterTexts(r)
	ui.RegisterChallenge(r)
	(&api.ChallengeHandlers{Challenge: c.Challenge}).Register(r)
	(&api.TextHandlers{Texts: c.Texts}).Register(r)
	ui.RegisterStaff(r)
	ui.RegisterBookings(r)
	(&api.WorkflowHandlers{Workflows: c.Workflows, Loc: loc}).Register(r)
	ui.RegisterWorkflows(r, c.Workflows)
	(&api.AtApplicationHandlers{Workflows: c.Workflows, Loc: loc}).Register(r)
	ui.RegisterAtApplication(r, c.Workflows)
	ui.RegisterPrint(r, c.Workflows)
	(&api.NoticeHandlers{Notices: c.Notices, Loc: loc}).Register(r)
	ui.RegisterNotices(r, c.Notices)
	(&api.JukiHandlers{Juki: c.Juki}).Register(r)
	ui.RegisterJuki(r, c.Juki)
	(&api.StorageHandlers{Storage: c.Storage, Loc: loc}).Register(r)
	ui.RegisterStorage(r, c.Storage)
	(&api.ReissueHandlers{Reissue: c.Reissue, Loc: loc}).Register(r)
	ui.RegisterReissues(r, c.Reissue)
	(&api.DocumentHandlers{Filing: c.Filing}).Register(r)
	ui.RegisterDocuments(r, c.Filing)
	(&api.CounterHandlers{Counter: c.Counter, CallerOf: s.counterCaller(c.Counter), Loc: loc}).Register(r)
	ui.RegisterCounter(r, s.counterDeps)
	(&api.SurfaceHandlers{Surface: c.Surface, Loc: loc}).Register(r)
	ui.RegisterSurface(r, c.Surface)
	ui.RegisterReception(r, web.ReceptionDeps{Reception: c.Reception, Paper: c.ReceptionPaper})
	(&api.ReceptionHandlers{Reception: c.Reception, Paper: c.ReceptionPaper}).Register(r)
}

// crossOrigin refuses state-changing requests sent from another site.
func (s *Server) crossOrigin(h http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.deny(w, r, apperr.New(apperr.Forbidden, "別のサイトからの送信は受け付けられません。ページを開き直してください。"))
	}))
	return csrf.Handler(h)
}

// admit holds back citizen requests in a rush when --public-max-inflight
// sets a limit.
func (s *Server) admit(h http.Handler) http.Handler {
	if s.cfg.PublicMaxInFlight <= 0 {
		return h
	}
	adm := newAdmission(s.cfg.PublicMaxInFlight, admissionMaxWait, s.city.Key("admission"))
	s.city.Challenge.SetPressure(adm.pressure)
	s.admission = adm
	s.metrics.reg.MustRegister(admissionGauges(adm)...)
	return adm.middleware(h)
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// CloseStreams ends the call displays' event streams, so that a shutdown
// does not wait for them (the displays reconnect to another instance).
func (s *Server) CloseStreams() { s.hub.Close() }

// Routes lists the registered routes (tests walk them).
func (s *Server) Routes() []route.Route { return s.router.Routes() }

// deny answers a refused request: JSON under /api/, a login redirect or an
// error page for the staff pages.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteError(w, r, err)
		return
	}
	switch apperr.CodeOf(err) {
	case apperr.Unauthenticated:
		http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
	case apperr.PasswordChangeRequired:
		http.Redirect(w, r, "/staff/password", http.StatusSeeOther)
	case apperr.TOTPRequired:
		http.Redirect(w, r, "/staff/totp", http.StatusSeeOther)
	default:
		s.ui.ErrorPage(w, r, err)
	}
}

func (s *Server) registerOps() {
	s.router.Handle("GET /healthz", route.Public, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.router.Handle("GET /readyz", route.Public, s.readyz)
}

// Metrics serves the Prometheus metrics. It is not on the server's own
// listener, which faces residents: `kofu serve` serves it on the
// separate --metrics-addr when one is given (docs/operations.md).
func (s *Server) Metrics() http.Handler { return s.metrics.handler() }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	current, err := s.db.Current(ctx)
	switch {
	case err != nil:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
	case !current:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("schema not current\n"))
	default:
		w.Write([]byte("ready\n"))
	}
}

// RunJobs does the background work until ctx ends, then waits for it:
// sending queued mails, and housekeeping (expired sessions and holds,
// no-shows, audit retention). All of it is safe on several instances.
func (s *Server) RunJobs(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.city.Mailer.Run(ctx) })
	if s.cfg.InboxDir != "" && s.staffSite {
		wg.Go(func() { s.city.Filing.WatchFolder(ctx, s.cfg.InboxDir, time.Minute, s.log) })
	}
	defer wg.Wait()
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		s.housekeeping(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) housekeeping(ctx context.Context) {
	if _, err := s.city.Reserve.Housekeeping(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "booking housekeeping", "err", err.Error())
	}
	if _, err := s.auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "purge sessions", "err", err.Error())
	}
	st, err := s.auth.Settings(ctx)
	if err != nil {
		return
	}
	if _, err := s.city.Audit.Purge(ctx, st.AuditRetentionYears); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "purge audit log", "err", err.Error())
	}
	if err := s.city.Audit.Publish(ctx, s.heads); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "publish audit head", "err", err.Error())
	}
}
