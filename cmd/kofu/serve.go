package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/demo"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/logx"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/web"
)

func (e env) serve(ctx context.Context, fs *flag.FlagSet, args []string) error {
	cfg := config.Bind(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Finish(fs); err != nil {
		return err
	}
	if cfg.Platform {
		return e.servePlatform(ctx, cfg)
	}
	m := &Main{Config: cfg, Stdout: e.stdout, Log: e.stderr, HashParams: hashParams()}
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return m.Close()
}

// Main is a running server: end-to-end tests start one on port 0 with a
// temporary database, exactly as `kofu serve` does.
type Main struct {
	Config     *config.Config
	Stdout     io.Writer // demo accounts are printed here
	Log        io.Writer // JSON logs
	HashParams secret.Params
	Clock      clock.Clock

	DB      *store.DB
	Auth    *auth.Service
	City    *app.City // every service of the city, built once
	Server  *server.Server
	backups *backup.Scheduler
	ln      net.Listener
	http    *http.Server
	// metricsLn and metrics serve /metrics on --metrics-addr (nil: none).
	metricsLn net.Listener
	metrics   *http.Server
	stop      context.CancelFunc
	done      chan struct{}
}

// Run opens and migrates the database, seeds the demo city when asked, and
// starts serving in the background.
func (m *Main) Run(ctx context.Context) error {
	if m.Clock == nil {
		m.Clock = clock.System{}
	}
	log := logx.New(m.Log, logLevel(m.Config.LogLevel))
	slog.SetDefault(log) // errors logged at the edge (api, web) use the same JSON lines
	keys, err := m.keys()
	if err != nil {
		return err
	}
	db, err := openDBWithKeys(ctx, m.Config.DB, keys)
	if err != nil {
		return err
	}
	m.DB = db
	if err := sealExisting(ctx, db, m.Clock, log); err != nil {
		return err
	}
	if err := keySecrets(ctx, db, m.Clock, log); err != nil {
		return err
	}
	m.Auth = auth.NewService(db, m.Clock, m.HashParams, "Kofu")
	if m.Config.BackupDir != "" {
		if m.backups, err = m.newScheduler(log); err != nil {
			return err
		}
	}
	if m.City, err = app.New(ctx, app.Deps{Config: m.Config, DB: db, Log: log, Auth: m.Auth, Clock: m.Clock,
		Backups: m.backups}); err != nil {
		return err
	}
	var opts server.Options
	var accs []demo.Account
	if m.Config.Demo {
		if accs, err = (demo.City{DB: db, Auth: m.Auth, Reserve: m.City.Reserve, Clock: m.Clock, Loc: m.Config.Location}).Seed(ctx); err != nil {
			return err
		}
		if opts.DemoSamples, err = demoSamples(ctx, db); err != nil {
			return err
		}
	}
	if m.Server, err = server.New(m.City, opts); err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("%s で待ち受けできません: %w", m.Config.Addr, err)
	}
	if a := m.Config.MetricsAddr; a != "" {
		if m.metricsLn, err = net.Listen("tcp", a); err != nil {
			m.ln.Close()
			return fmt.Errorf("--metrics-addr: %s で待ち受けできません: %w", a, err)
		}
	}
	if m.Config.Demo {
		staff, public := m.siteURLs()
		demo.Print(m.Stdout, staff, public, accs)
	}
	if m.backups != nil {
		log.Info("scheduled backups on", "dir", m.Config.BackupDir, "time", m.Config.BackupTime, "keep", m.Config.BackupKeep)
	}
	m.start(log)
	log.Info("kofu started", "addr", m.ln.Addr().String(), "engine", string(db.Engine), "sites", m.Config.Sites, "version", version)
	return nil
}

// newHTTPServer is the listener's server for one city or a platform: slow
// clients are cut off, long downloads and event streams allowed.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

func (m *Main) start(log *slog.Logger) {
	m.http = newHTTPServer(m.Server, log)
	m.http.RegisterOnShutdown(m.Server.CloseStreams)
	jobs, stop := context.WithCancel(context.Background())
	m.stop, m.done = stop, make(chan struct{})
	go func() {
		defer close(m.done)
		var wg sync.WaitGroup
		if m.backups != nil {
			wg.Go(func() { m.backups.Run(jobs) })
		}
		m.Server.RunJobs(jobs)
		wg.Wait() // Close waits for a running backup before closing the database
	}()
	go func() {
		if err := m.http.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err.Error())
		}
	}()
	if m.metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Server.Metrics())
		m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: m.http.ErrorLog}
		go func() {
			if err := m.metrics.Serve(m.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("serve metrics", "err", err.Error())
			}
		}()
	}
}

// sealExisting seals the personal data of a database from before
// encryption (its residents are plaintext) once, before serving: until
// then its names would stay readable and its cards unsearchable.
func sealExisting(ctx context.Context, db *store.DB, c clock.Clock, log *slog.Logger) error {
	need, err := db.NeedsResealing(ctx)
	if err != nil || !need {
		return err
	}
	log.Info("sealing personal data not yet under the current key")
	changed, err := resealAudited(ctx, db, c, "system", nil)
	if err != nil {
		return fmt.Errorf("個人情報の暗号化に失敗しました（もう一度起動すると続きから行います）: %w", err)
	}
	log.Info("personal data sealed", "rows", total(changed))
	return nil
}

// keySecrets seals the two-factor secrets still in the clear and keys an
// audit chain from before keying, once, before serving. Keying is logged
// as a warning: it happens once in a database's life, so a second time
// means someone stripped the keys from the log (see docs/operations.md).
func keySecrets(ctx context.Context, db *store.DB, c clock.Clock, log *slog.Logger) error {
	n, err := db.SealTOTPSecrets(ctx)
	if err != nil {
		return fmt.Errorf("二要素認証の秘密鍵を暗号化できません: %w", err)
	}
	if n > 0 {
		log.Info("two-factor secrets sealed", "users", n)
	}
	keyed, err := db.KeyAuditChain(ctx, c.Now())
	if err != nil {
		return fmt.Errorf("監査ログを鍵付きに移行できません: %w", err)
	}
	if keyed {
		log.Warn("audit chain keyed: the entries before this one are covered by its key from now on; this happens once per database")
	}
	return nil
}

// keys loads the data keys. The demo keeps its own key next to its
// database, made on the first start, so the demo data stays readable
// across restarts; a real server refuses to start without a key.
func (m *Main) keys() (*fieldcrypt.Keyring, error) {
	keys, err := m.Config.Keyring()
	if !errors.Is(err, fieldcrypt.ErrNoKey) || !m.Config.Demo {
		return keys, err
	}
	path := m.Config.DB + ".key"
	if store.EngineOf(m.Config.DB) == store.Postgres {
		path = "./data/demo-postgres.key"
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(fieldcrypt.Generate()+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("デモ用の暗号鍵を保存できません: %w", err)
		}
	}
	return fieldcrypt.Load("", path, "")
}

// newScheduler prepares the scheduled backups of --backup-dir; it refuses
// to start without encryption, so no unencrypted backup is ever written.
func (m *Main) newScheduler(log *slog.Logger) (*backup.Scheduler, error) {
	enc, err := encryptionFromEnv()
	if err != nil {
		return nil, fmt.Errorf("--backup-dir: %w", err)
	}
	hour, minute, daily, monthly, err := m.Config.BackupSchedule()
	if err != nil {
		return nil, err
	}
	sched := backup.Schedule{Hour: hour, Minute: minute, Location: m.Config.Location, Daily: daily, Monthly: monthly, Prefix: "kofu-"}
	return backup.NewScheduler(m.DB, m.Config.BackupDir, enc, sched, m.Clock, log)
}

// demoSamples are a few fictional notice numbers for the demo's top page,
// so a newcomer can try the citizen booking at once.
func demoSamples(ctx context.Context, db *store.DB) ([]web.DemoSample, error) {
	samples, err := demo.Samples(ctx, db, 3)
	if err != nil {
		return nil, err
	}
	out := make([]web.DemoSample, len(samples))
	for i, s := range samples {
		out[i] = web.DemoSample{NoticeNumber: s[0], BirthDate: s[1]}
	}
	return out, nil
}

// siteURLs are the addresses of the staff site and the citizen site to
// open in a browser on this machine ("" for a site not served): a server
// listening on every interface is reached through 127.0.0.1.
func (m *Main) siteURLs() (staff, public string) {
	base := "http://" + m.Addr()
	if a, ok := m.ln.Addr().(*net.TCPAddr); ok && a.IP.IsUnspecified() {
		base = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	}
	if m.Config.Sites != "public" {
		staff = base + "/staff/"
	}
	if m.Config.Sites != "staff" {
		public = base + "/"
	}
	return staff, public
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// MetricsAddr is the address /metrics is served on ("" when none).
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// Close stops accepting requests, lets running ones finish (up to 30 s),
// stops the jobs and closes the database.
func (m *Main) Close() error {
	var err error
	if m.metrics != nil {
		err = m.metrics.Close()
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = errors.Join(err, m.http.Shutdown(ctx))
		cancel()
		m.stop()
		<-m.done
	}
	if m.DB != nil {
		err = errors.Join(err, m.DB.Close())
	}
	return err
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
