package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/reserve"
)

// The citizen site speaks Japanese first and English on request.
const (
	langJA = "ja"
	langEN = "en"
	// langCookie remembers the language chosen with the switch.
	langCookie = "kofu_lang"
	// pubMissingMark wraps a key without a text, so tests can find it.
	pubMissingMark = "⟦"
)

// pubCatalog is the texts of one language by key.
type pubCatalog map[string]string

// pubTexts are the catalogs by language.
type pubTexts map[string]pubCatalog

// pubLangOf picks the language of a request: the switch (?lang= or a form's
// lang button), then the language the page was shown in (hidden field hl),
// then the cookie, then Japanese.
func pubLangOf(r *http.Request) string {
	for _, v := range []string{r.URL.Query().Get("lang"), r.PostFormValue("lang"), r.PostFormValue("hl")} {
		if v == langJA || v == langEN {
			return v
		}
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langJA || c.Value == langEN) {
		return c.Value
	}
	return langJA
}

// pubRememberLang sets the language cookie when the request switched language.
func pubRememberLang(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("lang")
	if v == "" {
		v = r.PostFormValue("lang")
	}
	if v != langJA && v != langEN {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: pubSecureRequest(r), SameSite: http.SameSiteLaxMode})
}

// pubSecureRequest tells whether the resident reached us over HTTPS (directly
// or through the TLS-terminating proxy). It only decides the Secure flag of
// cookies: a forged header can only make the forger's own cookie stricter.
func pubSecureRequest(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// text returns the text of key in lang, formatted with args.
func (c pubTexts) text(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		s, ok = c[langJA][key]
	}
	if !ok {
		return pubMissingMark + key + "⟧"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// pubEraYear names the Japanese era year(s) of a Gregorian year: "昭和45",
// or "平成31・令和元" for a year in which the era changed.
func pubEraYear(lang string, y int) string {
	type era struct {
		ja, en      string
		first, last int // Gregorian years the era covers
	}
	eras := []era{{"令和", "Reiwa", 2019, 9999}, {"平成", "Heisei", 1989, 2019}, {"昭和", "Showa", 1926, 1989},
		{"大正", "Taisho", 1912, 1926}, {"明治", "Meiji", 1868, 1912}}
	out := ""
	for i := len(eras) - 1; i >= 0; i-- {
		e := eras[i]
		if y < e.first || y > e.last {
			continue
		}
		n := y - e.first + 1
		var s string
		switch {
		case lang == langEN:
			s = fmt.Sprintf("%s %d", e.en, n)
		case n == 1:
			s = e.ja + "元"
		default:
			s = fmt.Sprintf("%s%d", e.ja, n)
		}
		switch {
		case out == "":
		case lang == langEN:
			out += " / "
		default:
			out += "・"
		}
		out += s
	}
	return out
}

// pubDayLabel formats a date: "12月3日（木）" or "Thu 3 Dec".
func pubDayLabel(lang string, d calendar.Date) string {
	if lang == langEN {
		return d.Time().Format("Mon 2 Jan 2006")
	}
	wd := []rune("日月火水木金土")[d.Weekday()]
	return fmt.Sprintf("%d年%d月%d日（%c）", d.Year, int(d.Month), d.Day, wd)
}

// pubShortDayLabel is dayLabel without the year.
func pubShortDayLabel(lang string, d calendar.Date) string {
	if lang == langEN {
		return d.Time().Format("Mon 2 Jan")
	}
	wd := []rune("日月火水木金土")[d.Weekday()]
	return fmt.Sprintf("%d月%d日（%c）", int(d.Month), d.Day, wd)
}

// pubSlotLabel formats a slot: "12月3日（木）10:00〜10:30".
func pubSlotLabel(lang string, start, end time.Time) string {
	d := calendar.DateOf(start)
	sep := "〜"
	if lang == langEN {
		sep = "–"
	}
	return pubShortDayLabel(lang, d) + " " + start.Format("15:04") + sep + end.Format("15:04")
}

// pubMonthLabel formats a month: "2026年12月" or "December 2026".
func pubMonthLabel(lang string, y int, m time.Month) string {
	if lang == langEN {
		return fmt.Sprintf("%s %d", m, y)
	}
	return fmt.Sprintf("%d年%d月", y, int(m))
}

// pubWeekdayNames are the column heads of the month calendar, from Sunday.
func pubWeekdayNames(lang string) []string {
	if lang == langEN {
		return []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	}
	return []string{"日", "月", "火", "水", "木", "金", "土"}
}

// pubChangeDeadline says until when the booking can be changed online,
// with its time and rule, from the engine's own computation (the instant
// Changeable applies): "2026年12月7日（月）23:59（予約日の3日前）".
func pubChangeDeadline(v pview, b reserve.Booking) string {
	if b.ChangeClosesAt.IsZero() {
		return ""
	}
	last := b.ChangeClosesAt.Add(-time.Minute).In(b.Location)
	day := calendar.DateOf(b.Start.In(b.Location))
	before := int(day.Time().Sub(calendar.DateOf(last).Time()).Hours() / 24)
	return v.T("deadline", pubDayLabel(v.Lang, calendar.DateOf(last))+" "+last.Format("15:04"), before)
}
