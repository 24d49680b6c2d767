package sitetext

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fresh"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service reads and changes the texts.
type Service struct {
	db    *store.DB
	clock clock.Clock

	// inForce is the texts with the version they were read at, checked
	// against the database at most once per MaxAge.
	inForce *fresh.Value[versioned]
}

// versioned is the texts read at one version.
type versioned struct {
	set     Set
	version int64
}

// MaxAge bounds how long a change of a text saved on another instance may
// take to show on this instance's pages (docs/operations.md); a change
// saved on this instance shows at once.
const MaxAge = time.Second

// New returns the service on db.
func New(db *store.DB, c clock.Clock) *Service {
	return &Service{db: db, clock: c, inForce: fresh.New[versioned](MaxAge)}
}

// Set is the texts in force: the city's wording over the defaults.
type Set struct {
	stored map[string]string // by key + "/" + lang
	stamp  uint64
}

// stamps numbers the sets read by Texts.
var stamps atomic.Uint64

// Stamp identifies the texts as Texts read them: two sets with the same
// stamp hold the same texts, so a page rendered from one can be reused
// for the other. It is 0 for a set that is not one of them (a draft
// being previewed), which nothing should be cached for.
func (s Set) Stamp() uint64 { return s.stamp }

// Get returns the text of key in lang, and false when key is not an
// editable text (the page's own catalog applies).
func (s Set) Get(key, lang string) (string, bool) {
	d, ok := defOf(key)
	if !ok {
		return "", false
	}
	if v, ok := s.stored[key+"/"+lang]; ok {
		return v, true
	}
	return d.Default[lang], true
}

// With returns a copy of the set with a draft of key in lang, for a
// preview; "" stands for the default as when saving.
func (s Set) With(key, lang, body string) Set {
	out := Set{stored: map[string]string{}}
	for k, v := range s.stored {
		out.stored[k] = v
	}
	if body == "" {
		delete(out.stored, key+"/"+lang)
	} else {
		out.stored[key+"/"+lang] = body
	}
	return out
}

// Load reads the texts in force in tx (for mails queued with a change).
func Load(ctx context.Context, tx *store.Tx) (Set, error) {
	rows, err := tx.SiteTexts(ctx)
	set := Set{stored: map[string]string{}}
	for _, r := range rows {
		set.stored[r.Key+"/"+r.Lang] = r.Body
	}
	return set, err
}

// Texts returns the texts in force. Every page shows them, so they are
// kept in memory: at most once per MaxAge the database is asked for the
// version number, and the texts are read again only when another
// instance changed one since. A Set is only read, so it is shared.
func (s *Service) Texts(ctx context.Context) (Set, error) {
	v, err := s.inForce.Get(ctx, s.reload)
	return v.set, err
}

// reload reads the version and, when it moved, the texts.
func (s *Service) reload(ctx context.Context) (versioned, error) {
	last, _ := s.inForce.Last()
	var out versioned
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if out.version, err = tx.SiteTextsVersion(ctx); err != nil || (last.set.stored != nil && out.version == last.version) {
			return err
		}
		rows, err := tx.SiteTexts(ctx)
		out.set = Set{stored: map[string]string{}, stamp: stamps.Add(1)}
		for _, r := range rows {
			out.set.stored[r.Key+"/"+r.Lang] = r.Body
		}
		return err
	})
	if err == nil && out.set.stored == nil {
		out.set = last.set
	}
	return out, err
}

// Entry is one text as admins see it.
type Entry struct {
	Def
	Value     map[string]string `json:"value"`   // in force
	Changed   map[string]bool   `json:"changed"` // differs from the default
	UpdatedAt time.Time         `json:"updated_at,omitzero"`
	UpdatedBy string            `json:"updated_by,omitempty"`
}

// List returns every editable text with its wording in force.
func (s *Service) List(ctx context.Context) ([]Entry, error) {
	var out []Entry
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = list(ctx, tx); return err })
	return out, err
}

func list(ctx context.Context, tx *store.Tx) ([]Entry, error) {
	rows, err := tx.SiteTexts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(Defs()))
	for _, d := range Defs() {
		e := Entry{Def: d, Value: map[string]string{}, Changed: map[string]bool{}}
		for _, l := range Langs {
			e.Value[l] = d.Default[l]
		}
		for _, r := range rows {
			if r.Key != d.Key {
				continue
			}
			e.Value[r.Lang], e.Changed[r.Lang] = r.Body, true
			if r.UpdatedAt.After(e.UpdatedAt) {
				e.UpdatedAt, e.UpdatedBy = r.UpdatedAt, r.UpdatedBy
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Entry returns one text as admins see it.
func (s *Service) Entry(ctx context.Context, key string) (Entry, error) {
	var e Entry
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { e, err = entry(ctx, tx, key); return err })
	return e, err
}

func entry(ctx context.Context, tx *store.Tx, key string) (Entry, error) {
	all, err := list(ctx, tx)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range all {
		if e.Key == key {
			return e, nil
		}
	}
	return Entry{}, notFound()
}

func notFound() error {
	return apperr.New(apperr.NotFound, "その文言は変更できる文言にありません。")
}

// Normalize is how a text is stored: line breaks as "\n", no spaces or
// blank lines at its ends or at line ends.
func Normalize(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// Validate checks the drafts of key (by language), naming the field
// ("ja", "en") of each problem.
func Validate(key string, drafts map[string]string) error {
	d, ok := defOf(key)
	if !ok {
		return notFound()
	}
	var fe apperr.Fields
	for _, l := range Langs {
		fe = append(fe, check(d, l, Normalize(drafts[l]))...)
	}
	if len(fe) > 0 {
		return apperr.WithFields(fmt.Sprintf("「%s」に誤りがあります。", d.Label), fe)
	}
	return nil
}

func check(d Def, lang, s string) []apperr.FieldError {
	name := map[string]string{"ja": "日本語", "en": "英語"}[lang]
	var fe apperr.Fields
	if n := utf8.RuneCountInString(s); n > d.Max {
		fe.Add(lang, fmt.Sprintf("%sの文は %d 文字以内にしてください（いま %d 文字）。", name, d.Max, n))
	}
	if d.SingleLine && strings.Contains(s, "\n") {
		fe.Add(lang, name+"の文は改行せずに 1 行で入力してください。")
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		fe.Add(lang, name+"の文に使えない制御文字が含まれています。")
	}
	return fe
}

// Save stores the city's wording of key in each language given; a text
// equal to the default (or empty) restores the default. The change is
// audited with the old and new texts.
func (s *Service) Save(ctx context.Context, p auth.Principal, m auth.Meta, key string, drafts map[string]string) (Entry, error) {
	if err := Validate(key, drafts); err != nil {
		return Entry{}, err
	}
	d, _ := defOf(key)
	defer s.inForce.Forget() // this instance's pages show the change at once
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		now := s.clock.Now()
		old, err := entry(ctx, tx, key)
		if err != nil {
			return err
		}
		changed := map[string]any{}
		for _, l := range Langs {
			body, given := drafts[l]
			if !given {
				continue
			}
			body = Normalize(body)
			newValue := body
			if body == "" || body == d.Default[l] {
				body, newValue = "", d.Default[l]
			}
			if newValue == old.Value[l] && (body != "") == old.Changed[l] {
				continue
			}
			if err := tx.PutSiteText(ctx, key, l, body, p.Username, now); err != nil {
				return err
			}
			changed[l] = map[string]any{"old": old.Value[l], "new": newValue, "default": body == ""}
		}
		if len(changed) == 0 {
			return nil
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "settings.text_changed",
			Target: "text:" + key, IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"key": key, "label": d.Label, "changes": changed}}, now)
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Entry(ctx, key)
}

// Reset restores the default of key in both languages.
func (s *Service) Reset(ctx context.Context, p auth.Principal, m auth.Meta, key string) (Entry, error) {
	return s.Save(ctx, p, m, key, map[string]string{"ja": "", "en": ""})
}
