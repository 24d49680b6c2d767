// Package web is the server-rendered HTML: the staff back office under
// /staff/ and (later) the citizen site at /. Pages work without JavaScript;
// templates and assets are embedded and parsed once at start.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/sitetext"
)

//go:embed templates static
var files embed.FS

// SessionCookies sets and clears the staff session cookie.
type SessionCookies interface {
	Set(w http.ResponseWriter, r *http.Request, sid string)
	Clear(w http.ResponseWriter, r *http.Request)
}

// LoginCounter counts login outcomes for /metrics.
type LoginCounter interface{ Login(ok bool) }

// Deps are the services the pages use.
type Deps struct {
	Auth    *auth.Service
	Ledger  *ledger.Service
	Intake  *intake.Service
	Gaiji   *gaiji.Service
	Reserve *reserve.Service
	Audit   *auditlog.Service
	Texts   *sitetext.Service // the citizen site's editable texts; nil: the defaults
	// Challenge is the booking form's proof of work under load; nil: never.
	Challenge *challenge.Service
	Session   SessionCookies
	Logins    LoginCounter
	Loc       *time.Location
	// Clock tells the staff pages the time: the booking calendar's month,
	// the cut-off example and the backup's age (seals age in real time,
	// see pubSite.now); nil: the system clock.
	Clock clock.Clock
	// MailOn tells whether booking mails are sent (the mail settings are
	// enabled), so that the citizen site promises a mail only then; nil:
	// never.
	MailOn func(context.Context) bool
	// Backups reads the last backup's outcome for the dashboard; nil
	// leaves the section out.
	Backups func(context.Context) (backup.Status, error)
}

// UI renders the pages.
type UI struct {
	Deps
	demo    []DemoSample // fictional notice numbers shown on the demo's top page
	pub     *pubSite
	pubOnce sync.Once
	pages   map[string]*template.Template
	assets  map[string]asset // by logical name, e.g. "kofu.css"
	byPath  map[string]asset // by served name, e.g. "kofu.3f2a9c1d.css"

	// reissues, once RegisterReissues ran, adds the resident's reissues to
	// the card page.
	reissues *reissue.Service
	// notices, once RegisterNotices ran, adds the wave plan to the dashboard.
	notices *notice.Service
	// documents, once RegisterDocuments ran, adds the documents to the
	// card page.
	documents *filing.Service
	// reception, once RegisterReception ran, adds the 交付受付確認票 to
	// the handover and card pages.
	reception *reception.Service
	// counter, once RegisterCounter ran, adds the counter's waits to the
	// dashboard.
	counter *counter.Service
	// pubWaits, once RegisterWait ran, gives the citizen top page today's
	// wait per place when the city shows it.
	pubWaits *counter.Service
}

type asset struct {
	served string
	body   []byte
	ctype  string
}

// New parses the templates and fingerprints the assets.
func New(d Deps) (*UI, error) {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	ui := &UI{Deps: d, assets: map[string]asset{}, byPath: map[string]asset{}}
	if err := ui.loadAssets(); err != nil {
		return nil, err
	}
	if err := ui.parseTemplates(); err != nil {
		return nil, err
	}
	return ui, nil
}

func (ui *UI) loadAssets() error {
	return fs.WalkDir(files, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := path.Base(p)
		ext := path.Ext(name)
		a := asset{served: strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext, body: body, ctype: contentType(ext)}
		ui.assets[name], ui.byPath[a.served] = a, a
		return nil
	})
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

func (ui *UI) parseTemplates() error {
	funcs := template.FuncMap{
		"asset":     func(name string) string { return "/static/" + ui.assets[name].served },
		"roleLabel": auth.RoleLabel,
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(ui.Loc).Format("2006-01-02 15:04")
		},
		"atLeast":       auth.AtLeast,
		"actionLabel":   auditlog.ActionLabel,
		"has":           slices.Contains[[]string],
		"flagLabel":     card.FlagLabel,
		"fieldLabel":    fieldLabel,
		"sexLabel":      sexLabel,
		"statusStrings": statusStrings,
		"gaijiCode":     gaiji.Code,
		"sortOptions":   sortOptions,
		"cancelLabel":   func(r string) string { return card.CancelReason(r).Label() },
		"noticeKind":    notice.KindLabel,
		"kindLabel":     func(k string) string { return document.Kind(k).Label() },
		"percent":       func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) },
		"round":         func(x float64) string { return fmt.Sprintf("%.0f", x) },
		"minutes":       func(x float64) string { return fmt.Sprintf("%.1f", x) },
		"queueTable": func(caption, key string, rows []counter.FigureRow) queueTable {
			return queueTable{Caption: caption, Key: key, Rows: rows}
		},
		"textLangs":     func() []textLang { return []textLang{{"ja", "日本語"}, {"en", "英語"}} },
		"mailKindLabel": func(k string) string { return mailKindLabels[mail.Kind(k)] },
		"mailStatusLabel": func(s string) string {
			return map[string]string{"pending": "送信待ち", "sent": "送信済み", "failed": "送信失敗", "cancelled": "取りやめ"}[s]
		},
	}
	pages, err := parsePages("layout.html", "page_", funcs)
	ui.pages = pages
	return err
}

// parsePages parses templates/<layout> once and, for each templates/<prefix>*.html
// other than the layout, a clone of it with that page's "content". Pages
// are keyed by their name without prefix and extension.
func parsePages(layoutName, prefix string, funcs template.FuncMap) (map[string]*template.Template, error) {
	layout, err := template.New(layoutName).Funcs(funcs).ParseFS(files, "templates/"+layoutName)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/"+prefix+"*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, p := range names {
		if path.Base(p) == layoutName {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(files, p)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", p, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(p), prefix), ".html")] = t
	}
	return pages, nil
}

// DemoSample is a fictional card residents may try the demo booking with.
type DemoSample struct{ NoticeNumber, BirthDate string }

// SetDemoSamples shows fictional notice numbers on the top page; only the
// demo city calls it, before serving starts.
func (ui *UI) SetDemoSamples(s []DemoSample) { ui.demo = s }

// RegisterAssets serves the fingerprinted static files (no listings).
func (ui *UI) RegisterAssets(rt *route.Router) {
	rt.Handle("GET /static/{name}", route.Public, func(w http.ResponseWriter, r *http.Request) {
		a, ok := ui.byPath[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(a.body)
	})
}

// view is what every page template receives.
type view struct {
	Title  string
	Public bool // the citizen site: no staff branding or links
	User   *auth.Principal
	Notice string
	Error  string
	Fields map[string]string
	Data   any
}

// render writes a page with the layout. Pages are rendered into a buffer so
// a template error never leaves half a page.
func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	if p, ok := route.PrincipalOf(r); ok {
		v.User = &p
	}
	var buf bytes.Buffer
	if err := ui.pages[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		slog.ErrorContext(r.Context(), "render", "page", page, "err", err.Error())
		http.Error(w, "システムエラーが発生しました。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// withError fills the view's error and field messages from err.
func withError(v view, err error) view {
	v.Error = apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		if v.Fields == nil {
			v.Fields = map[string]string{}
		}
		v.Fields[f.Field] = f.Message
	}
	return v
}

// statusFor maps an error to the HTTP status of its page.
func statusFor(err error) int { return route.Status(apperr.CodeOf(err)) }

// ErrorPage answers with an error page (also used by the router's deny).
func (ui *UI) ErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := statusFor(err)
	if status == http.StatusInternalServerError {
		slog.ErrorContext(r.Context(), "request failed", "err", err.Error())
	}
	ui.render(w, r, status, "error", view{Title: "エラー", Error: apperr.MessageOf(err)})
}
