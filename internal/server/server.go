// Package server wires the HTTP side together: routes with their policies,
// middleware, operations endpoints and the background jobs.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/surface"
	"github.com/kofu-oss/kofu/internal/web"
)

// Server is the kofu HTTP server.
type Server struct {
	cfg     *config.Config
	db      *store.DB
	log     *slog.Logger
	auth    *auth.Service
	audit   *auditlog.Service
	heads   *auditlog.Publisher
	metrics *metrics
	router  *route.Router
	ui      *web.UI
	reserve *reserve.Service
	mailer  *mail.Worker
	handler http.Handler
	// admission holds back citizen requests in a rush (nil: no limit).
	admission *admission
	// filing keeps documents; nil on a public-only server.
	filing *filing.Service
	// hub feeds the call displays' event streams.
	hub *counter.Hub
	// intake imports files, large ledgers in background jobs.
	intake *intake.Service
}

// Deps are the parts a Server is built from.
type Deps struct {
	Config *config.Config
	DB     *store.DB
	Log    *slog.Logger
	Auth   *auth.Service
	Clock  clock.Clock
	// Backups, when scheduled backups run in this process, reports the
	// last result to /metrics.
	Backups *backup.Scheduler
}

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	s := &Server{cfg: d.Config, db: d.DB, log: d.Log, auth: d.Auth, metrics: newMetrics(d.DB, d.Backups),
		audit: auditlog.New(d.DB, d.Clock, d.Config.Location), heads: auditlog.NewPublisher(d.Log, d.Config.AuditHeadDir)}
	ledgerSvc := ledger.New(d.DB, d.Clock)
	intakeSvc := intake.New(d.DB, d.Clock)
	s.intake = intakeSvc
	// A ledger import job a stopped process left running never committed:
	// say so, rather than showing it running for ever.
	if err := intakeSvc.FailInterruptedJobs(context.Background()); err != nil {
		return nil, err
	}
	gaijiSvc := gaiji.New(d.DB, d.Clock)
	s.reserve = reserve.New(d.DB, d.Clock)
	s.reserve.SetMailer(mail.NewNotifier(d.Config.BaseURL))
	// The public forms' sealing key is drawn now, once for every instance,
	// rather than by the first resident's page view.
	formKey, err := s.reserve.FormKey(context.Background())
	if err != nil {
		return nil, err
	}
	s.reserve.SetAccessKey(subKey(formKey, "booking access"))
	s.mailer = mail.NewWorker(d.DB, d.Clock, d.Log)
	bookings := &api.BookingHandlers{Reserve: s.reserve}
	texts := sitetext.New(d.DB, d.Clock)
	powSvc := challenge.New(d.DB, d.Clock)
	powSvc.SetKey(subKey(formKey, "challenge"))
	bookings.Challenge = powSvc
	ui, err := web.New(web.Deps{Auth: d.Auth, Audit: s.audit, Ledger: ledgerSvc, Intake: intakeSvc, Gaiji: gaijiSvc,
		Reserve: s.reserve, Texts: texts, Challenge: powSvc, Session: s, Logins: s.metrics, Loc: d.Config.Location,
		MailOn:  mailOn(mail.NewAdmin(d.DB, d.Clock)),
		Backups: func(ctx context.Context) (backup.Status, error) { return backup.LastStatus(ctx, d.DB) }})
	if err != nil {
		return nil, err
	}
	s.ui = ui
	s.router = route.New(s, s.deny)
	s.registerOps()
	ui.RegisterAssets(s.router)
	counterSvc := counter.New(counter.Deps{DB: d.DB, Clock: d.Clock, Bookings: s.reserve.Settings, Key: subKey(formKey, "ticket follow")})
	s.hub = counter.NewHub(counterSvc)
	counterDeps := web.CounterDeps{Counter: counterSvc, Hub: s.hub, CallerOf: s.counterCaller(counterSvc),
		SetDevice: s.SetDevice, BaseURL: d.Config.BaseURL}
	if d.Config.Sites != "staff" {
		ui.RegisterPublic(s.router)
		ui.RegisterWait(s.router, counterDeps)
		bookings.RegisterPublic(s.router)
		(&api.TextHandlers{Texts: texts}).RegisterPublic(s.router)
	}
	if d.Config.Sites != "public" {
		(&api.Handlers{Auth: d.Auth, Session: s, Logins: s.metrics}).Register(s.router)
		(&api.AuditHandlers{Log: s.audit, Loc: d.Config.Location}).Register(s.router)
		(&api.CardHandlers{Ledger: ledgerSvc, Loc: d.Config.Location}).Register(s.router)
		(&api.ImportHandlers{Intake: intakeSvc}).Register(s.router)
		(&api.GaijiHandlers{Gaiji: gaijiSvc}).Register(s.router)
		bookings.RegisterStaff(s.router)
		mailAdmin := mail.NewAdmin(d.DB, d.Clock)
		(&api.MailHandlers{Mail: mailAdmin}).Register(s.router)
		ui.RegisterMail(s.router, mailAdmin)
		ui.RegisterTexts(s.router)
		ui.RegisterChallenge(s.router)
		(&api.ChallengeHandlers{Challenge: powSvc}).Register(s.router)
		(&api.TextHandlers{Texts: texts}).Register(s.router)
		ui.RegisterStaff(s.router)
		ui.RegisterBookings(s.router)
		workflows := ledger.NewWorkflows(ledgerSvc, d.Config.Location)
		(&api.WorkflowHandlers{Workflows: workflows, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterWorkflows(s.router, workflows)
		(&api.AtApplicationHandlers{Workflows: workflows, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterAtApplication(s.router, workflows)
		ui.RegisterPrint(s.router, workflows)
		notices := notice.New(notice.Deps{DB: d.DB, Clock: d.Clock, Loc: d.Config.Location, Ledger: workflows,
			Gaiji: gaijiSvc.Map, Bookings: s.reserve.Settings, BaseURL: d.Config.BaseURL})
		(&api.NoticeHandlers{Notices: notices, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterNotices(s.router, notices)
		jukiSvc := juki.New(d.DB, d.Clock, ledgerSvc)
		(&api.JukiHandlers{Juki: jukiSvc}).Register(s.router)
		ui.RegisterJuki(s.router, jukiSvc)
		storageSvc := storage.New(d.DB, d.Clock, ledgerSvc, web.NoticeFromScan)
		(&api.StorageHandlers{Storage: storageSvc, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterStorage(s.router, storageSvc)
		reissueSvc := reissue.New(d.DB, d.Clock, d.Config.Location)
		(&api.ReissueHandlers{Reissue: reissueSvc, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterReissues(s.router, reissueSvc)
		filingSvc := filing.New(d.DB, d.Clock, d.Config.Location, filing.CodeRules())
		s.filing = filingSvc
		(&api.DocumentHandlers{Filing: filingSvc}).Register(s.router)
		ui.RegisterDocuments(s.router, filingSvc)
		(&api.CounterHandlers{Counter: counterSvc, CallerOf: s.counterCaller(counterSvc), Loc: d.Config.Location}).Register(s.router)
		ui.RegisterCounter(s.router, counterDeps)
		surfaceSvc := surface.New(d.DB, d.Clock, d.Config.Location)
		(&api.SurfaceHandlers{Surface: surfaceSvc, Loc: d.Config.Location}).Register(s.router)
		ui.RegisterSurface(s.router, surfaceSvc)
	}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.deny(w, r, apperr.New(apperr.Forbidden, "別のサイトからの送信は受け付けられません。ページを開き直してください。"))
	}))
	var h http.Handler = csrf.Handler(s.router)
	if d.Config.PublicMaxInFlight > 0 {
		adm := newAdmission(d.Config.PublicMaxInFlight, admissionMaxWait, subKey(formKey, "admission"))
		powSvc.SetPressure(adm.pressure)
		s.admission = adm
		s.metrics.reg.MustRegister(admissionGauges(adm)...)
		h = adm.middleware(h)
	}
	s.handler = s.observe(s.securityHeaders(h))
	return s, nil
}

// mailOn tells whether booking mails are queued: what mail.Notifier checks.
func mailOn(a *mail.Admin) func(context.Context) bool {
	return func(ctx context.Context) bool {
		st, err := a.Settings(ctx)
		return err == nil && st.Enabled
	}
}

// subKey derives a key for one use from the shared form key.
func subKey(key []byte, use string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(use))
	return m.Sum(nil)
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// CloseStreams ends the call displays' event streams, so that a shutdown
// does not wait for them (the displays reconnect to another instance).
func (s *Server) CloseStreams() { s.hub.Close() }

// UI is the pages (the demo adds its sample notice numbers).
func (s *Server) UI() *web.UI { return s.ui }

// Reserve is the booking service (the demo seeds it).
func (s *Server) Reserve() *reserve.Service { return s.reserve }

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
	wg.Go(func() { s.mailer.Run(ctx) })
	if s.cfg.InboxDir != "" && s.filing != nil {
		wg.Go(func() { s.filing.WatchFolder(ctx, s.cfg.InboxDir, time.Minute, s.log) })
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
	if _, err := s.reserve.Housekeeping(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "booking housekeeping", "err", err.Error())
	}
	if _, err := s.auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "purge sessions", "err", err.Error())
	}
	st, err := s.auth.Settings(ctx)
	if err != nil {
		return
	}
	if _, err := s.audit.Purge(ctx, st.AuditRetentionYears); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "purge audit log", "err", err.Error())
	}
	if err := s.audit.Publish(ctx, s.heads); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "publish audit head", "err", err.Error())
	}
}
