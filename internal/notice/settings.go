package notice

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/store"
)

// SettingsKey is where the notice settings are stored.
const SettingsKey = "notices"

// Template is a letter's text as the city edits it.
type Template struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Settings are the city's choices for notices on paper, the wave planner
// and the national report. Fields never saved keep their defaults.
type Settings struct {
	Paper   string  `json:"paper"`    // a4 (window envelope) or hagaki
	WindowX float64 `json:"window_x"` // the envelope's window, mm from the sheet's top-left
	WindowY float64 `json:"window_y"`
	WindowW float64 `json:"window_w"`
	WindowH float64 `json:"window_h"`
	// Household sends one letter per address listing each person.
	Household bool    `json:"household"`
	Labels    int     `json:"labels"` // labels per A4 sheet: 12, 18, 21 or 24
	OffsetX   float64 `json:"offset_x"`
	OffsetY   float64 `json:"offset_y"`

	City         string              `json:"city"`
	Contact      string              `json:"contact"`
	Items        []string            `json:"items"`
	DeadlineDays int                 `json:"deadline_days"` // pickup deadline: days after the mailing
	SiteURL      string              `json:"site_url"`      // the booking site; "" for the server's base URL
	Templates    map[string]Template `json:"templates"`     // by batch kind

	PlanWeeks  int `json:"plan_weeks"`  // the planner's horizon
	TargetFill int `json:"target_fill"` // percent of the free seats the bookings should fill

	ReportColumns []string `json:"report_columns"` // the national monthly report's columns, in order
}

// DefaultSettings are what a city starts from.
func DefaultSettings() Settings {
	l, s := paper.DefaultLetterLayout, paper.LabelSheet{Labels: 24}
	t := map[string]Template{}
	for kind, tp := range paper.DefaultTemplates {
		t[kind] = Template{Title: tp.Title, Body: tp.Body}
	}
	return Settings{Paper: l.Paper, WindowX: l.WindowX, WindowY: l.WindowY, WindowW: l.WindowW, WindowH: l.WindowH,
		Labels: s.Labels, City: "市役所", Contact: "市民課 マイナンバーカード担当",
		Items:        []string{"交付通知書（このはがき・封書）", "本人確認書類（運転免許証、パスポートなど）", "通知カード・住民基本台帳カード（お持ちの方）"},
		DeadlineDays: 90, Templates: t, PlanWeeks: 8, TargetFill: 85, ReportColumns: DefaultReportColumns()}
}

// Layout is the letter layout of the settings.
func (s Settings) Layout() paper.LetterLayout {
	return paper.LetterLayout{Paper: s.Paper, WindowX: s.WindowX, WindowY: s.WindowY, WindowW: s.WindowW, WindowH: s.WindowH}
}

// Sheet is the label sheet of the settings.
func (s Settings) Sheet() paper.LabelSheet {
	return paper.LabelSheet{Labels: s.Labels, OffsetX: s.OffsetX, OffsetY: s.OffsetY}
}

// Template is the letter template of a batch kind.
func (s Settings) Template(kind string) paper.Template {
	if t, ok := s.Templates[kind]; ok {
		return paper.Template{Title: t.Title, Body: t.Body}
	}
	return paper.DefaultTemplates[kind]
}

// Kinds are the batch kinds, in the order pages show them.
var Kinds = []string{KindGuide, KindReminder, KindResend}

// KindLabel names a batch kind in Japanese.
func KindLabel(kind string) string {
	return map[string]string{KindGuide: "交付通知書（初回）", KindReminder: "再通知", KindResend: "返戻後の再送"}[kind]
}

// Validate checks the settings and names each wrong field; a template
// with an unknown placeholder is refused with its field named
// (templates.guide.body).
func (s Settings) Validate() error {
	var fields apperr.Fields
	code := apperr.Invalid
	add := func(field, msg string) { fields.Add(field, msg) }
	addErr := func(prefix string, err error) {
		fs := apperr.FieldsOf(err)
		if len(fs) == 0 {
			add(prefix, apperr.MessageOf(err))
			return
		}
		for _, f := range fs {
			add(prefix+f.Field, f.Message)
		}
	}
	if err := s.Layout().Validate(); err != nil {
		addErr("", err)
	}
	if err := s.Sheet().Validate(); err != nil {
		addErr("", err)
	}
	for kind, t := range s.Templates {
		if !slices.Contains(Kinds, kind) {
			add("templates."+kind, fmt.Sprintf("文面の種類「%s」はありません。", kind))
			continue
		}
		if err := (paper.Template{Title: t.Title, Body: t.Body}).Validate(); err != nil {
			addErr("templates."+kind+".", err)
			code = paper.ErrCode
		}
	}
	s.validateTexts(add)
	if s.DeadlineDays < 7 || s.DeadlineDays > 365 {
		add("deadline_days", "受け取り期限は発送日から 7〜365 日の間で指定してください。")
	}
	if s.PlanWeeks < 1 || s.PlanWeeks > 26 {
		add("plan_weeks", "計画の期間は 1〜26 週で指定してください。")
	}
	if s.TargetFill < 10 || s.TargetFill > 100 {
		add("target_fill", "目標の埋まり具合は 10〜100 % で指定してください。")
	}
	for _, c := range s.ReportColumns {
		if _, ok := reportColumn(c); !ok {
			add("report_columns", fmt.Sprintf("報告の列「%s」はありません。使える列: %s", c, strings.Join(DefaultReportColumns(), "、")))
		}
	}
	if len(fields) > 0 {
		e := apperr.WithFields(fields[0].Message, fields)
		e.CodeValue = code
		return e
	}
	return nil
}

func (s Settings) validateTexts(add func(field, msg string)) {
	if s.City == "" || utf8.RuneCountInString(s.City) > 40 {
		add("city", "市区町村名を 40 文字以内で入力してください。")
	}
	if utf8.RuneCountInString(s.Contact) > 200 {
		add("contact", "問い合わせ先は 200 文字以内で入力してください。")
	}
	if len(s.Items) > 10 {
		add("items", "持ち物は 10 行までにしてください。")
	}
	for _, it := range s.Items {
		if utf8.RuneCountInString(it) > 60 {
			add("items", "持ち物は 1 行 60 文字以内にしてください。")
			break
		}
	}
	if s.SiteURL != "" {
		u, err := url.Parse(s.SiteURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			add("site_url", "予約サイトの URL は https://yoyaku.example.jp の形で入力してください。")
		}
	}
}

// loadSettings reads the settings; fields never saved keep their defaults.
func loadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	s := DefaultSettings()
	_, err := tx.LoadSetting(ctx, SettingsKey, &s)
	return s, err
}

// Settings returns the city's notice settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { st, err = loadSettings(ctx, tx); return err })
	return st, err
}

// SaveSettings validates and stores the settings (admins), recording the
// old and new documents in the audit log.
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, m auth.Meta, st Settings) error {
	if st.Templates == nil {
		st.Templates = DefaultSettings().Templates
	}
	if err := st.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		old, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, st, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "settings.notices_changed", "settings:"+SettingsKey, map[string]any{"old": old, "new": st})
	})
}
