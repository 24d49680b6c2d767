// Package app is the composition root: it builds every service of one city
// once, over that city's database. `kofu serve` builds one City; the HTTP
// side (server, web, api) only registers routes over a City's services, and
// the demo, kofubench and the tests reach the services here rather than
// through the server. Nothing in a City is global, so one process can build
// one per database (platform mode, issue #20).
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"

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
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/surface"
)

// Deps are what a City is built from. Auth is built by the caller, who
// chooses the password hashing cost (tests use a cheap one).
type Deps struct {
	Config *config.Config
	DB     *store.DB
	Log    *slog.Logger
	Auth   *auth.Service
	Clock  clock.Clock
	// Backups, when scheduled backups run in this process, reports the
	// last result to /metrics; nil: none.
	Backups *backup.Scheduler
}

// City is every service of one city, each built once.
type City struct {
	Config  *config.Config
	DB      *store.DB
	Log     *slog.Logger
	Clock   clock.Clock
	Backups *backup.Scheduler

	Auth      *auth.Service
	Audit     *auditlog.Service
	Ledger    *ledger.Service
	Workflows *ledger.Workflows
	Intake    *intake.Service
	Gaiji     *gaiji.Service
	Juki      *juki.Service
	Reserve   *reserve.Service
	Texts     *sitetext.Service
	Challenge *challenge.Service
	Mail      *mail.Admin
	Mailer    *mail.Worker
	Notices   *notice.Service
	Storage   *storage.Service
	Reissue   *reissue.Service
	Filing    *filing.Service
	Counter   *counter.Service
	Reception *reception.Service

	Surface *surface.Service

	// formKey is the city's shared secret for the public forms; keys for
	// each use are derived from it (Key).
	formKey []byte
}

// New builds every service of the city over d.DB.
func New(ctx context.Context, d Deps) (*City, error) {
	if d.Config == nil || d.DB == nil || d.Auth == nil || d.Clock == nil {
		return nil, errors.New("app: Config, DB, Auth and Clock are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cfg, db, c, loc := d.Config, d.DB, d.Clock, d.Config.Location
	city := &City{Config: cfg, DB: db, Log: d.Log, Clock: c, Backups: d.Backups, Auth: d.Auth,
		Audit: auditlog.New(db, c, loc), Ledger: ledger.New(db, c), Intake: intake.New(db, c), Gaiji: gaiji.New(db, c),
		Reserve: reserve.New(db, c), Texts: sitetext.New(db, c), Challenge: challenge.New(db, c),
		Mail: mail.NewAdmin(db, c), Mailer: mail.NewWorker(db, c, d.Log),
		Reissue: reissue.New(db, c, loc), Surface: surface.New(db, c, loc),
		Filing: filing.New(db, c, loc, filing.CodeRules())}
	city.Reserve.SetMailer(mail.NewNotifier(cfg.BaseURL))
	// The public forms' sealing key is drawn now, once for every instance
	// on the database, rather than by the first resident's page view.
	key, err := city.Reserve.FormKey(ctx)
	if err != nil {
		return nil, err
	}
	city.formKey = key
	city.Reserve.SetAccessKey(city.Key("booking access"))
	city.Challenge.SetKey(city.Key("challenge"))
	city.Workflows = ledger.NewWorkflows(city.Ledger, loc)
	city.Juki = juki.New(db, c, city.Ledger)
	city.Storage = storage.New(db, c, city.Ledger)
	city.Notices = notice.New(notice.Deps{DB: db, Clock: c, Loc: loc, Ledger: city.Workflows,
		Gaiji: city.Gaiji.Map, Bookings: city.Reserve.Settings, BaseURL: cfg.BaseURL})
	city.Counter = counter.New(counter.Deps{DB: db, Clock: c, Bookings: city.Reserve.Settings,
		Key: city.Key("ticket follow"), Mailer: mail.NewNotifier(cfg.BaseURL)})
	// A ledger import job a stopped process left running never committed:
	// say so, rather than showing it running for ever.
	if err := city.Intake.FailInterruptedJobs(ctx); err != nil {
		return nil, err
	}
	city.Reception = reception.New(reception.Deps{DB: db, Clock: c, Filing: city.Filing, Bookings: city.Reserve.Settings})
	return city, nil
}

// ReceptionPaper gives the printed 交付受付確認票 the municipality's name
// (the notices' sender) and the city's 外字 table.
func (c *City) ReceptionPaper(ctx context.Context) (reception.Paper, error) {
	st, err := c.Notices.Settings(ctx)
	if err != nil {
		return reception.Paper{}, err
	}
	m, err := c.Gaiji.Map(ctx)
	return reception.Paper{City: st.City, Gaiji: paper.GaijiTable(m)}, err
}

// Key derives the city's key for one use (the public forms, tickets,
// admission tokens) from its shared form key.
func (c *City) Key(use string) []byte {
	m := hmac.New(sha256.New, c.formKey)
	m.Write([]byte(use))
	return m.Sum(nil)
}

// MailOn tells whether booking mails are queued: what mail.Notifier checks.
func (c *City) MailOn(ctx context.Context) bool {
	st, err := c.Mail.Settings(ctx)
	return err == nil && st.Enabled
}

// LastBackup reads the last backup's outcome (the dashboard shows it).
func (c *City) LastBackup(ctx context.Context) (backup.Status, error) {
	return backup.LastStatus(ctx, c.DB)
}
