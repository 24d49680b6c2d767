package reserve

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
)

// Bounds of free-text input.
const (
	maxNameRunes  = 100
	maxEmailBytes = 254
	minPhoneDigit = 6
	maxPhoneDigit = 15
	maxNoteRunes  = 500
)

// PersonInput is one person of a booking: a notice number and birth date
// for a service with a card; a name, its kana and the birth date otherwise.
type PersonInput struct {
	NoticeNumber string `json:"notice_number,omitempty"`
	Name         string `json:"name,omitempty"`
	NameKana     string `json:"name_kana,omitempty"`
	BirthDate    string `json:"birth_date"`
	// Comes is who the resident said would come to the counter (an
	// Attendance; "" when not asked), shown to staff at handover.
	Comes string `json:"comes,omitempty"`
}

// CreateRequest asks for a booking.
type CreateRequest struct {
	Service string        `json:"service"`
	Place   string        `json:"place"`
	Start   string        `json:"start"` // RFC 3339
	People  []PersonInput `json:"people"`
	Email   string        `json:"email,omitempty"`
	Phone   string        `json:"phone,omitempty"`
	// Lang is the language of the booking's mails and calendar entry:
	// "ja" (the default) or "en".
	Lang string `json:"lang,omitempty"`
	// Hold is the token of a hold for the same service, place and start,
	// whose seats the booking takes over (web only).
	Hold string `json:"hold,omitempty"`
	// Proved is set by the handler when the request carried a proof of
	// work that was checked and spent (package challenge). It lets the
	// booking past a notice number's attempt limit, so that a guesser
	// cannot lock the resident out; the attempt still counts (issue #14).
	Proved bool `json:"-"`
}

// ChangeRequest changes the start, the people or both; what is left out
// stays as it is. People, when given, is the whole new list.
type ChangeRequest struct {
	Start  *string       `json:"start,omitempty"`
	People []PersonInput `json:"people,omitempty"`
}

// person is a checked PersonInput; index is its place in the request.
type person struct {
	index  int
	notice string // stored form; "" for a person without a card
	name   string
	kana   string
	birth  string // YYYY-MM-DD
	comes  Attendance
}

// key identifies a person without a card within a service: the folded
// kana and the birth date (kanji may come in several spellings).
func (p person) key() string { return "person:" + moji.KanaKey(p.kana) + "|" + p.birth }

type createInput struct {
	service, place string
	start          time.Time
	people         []person
	email, phone   string
	lang           string
	hold           string
	proved         bool
}

// notices returns the notice numbers of the request, for the limits.
func notices(people []person) []string {
	var out []string
	for _, p := range people {
		if p.notice != "" {
			out = append(out, p.notice)
		}
	}
	return out
}

// parseCreate checks the request on its own (the settings are checked in
// the transaction). contact requires an e-mail address or a phone number.
func parseCreate(req CreateRequest, contact bool) (createInput, apperr.Fields) {
	var bad apperr.Fields
	in := createInput{service: strings.TrimSpace(req.Service), place: strings.TrimSpace(req.Place),
		hold: strings.TrimSpace(req.Hold), proved: req.Proved}
	if in.service == "" {
		bad.Addf("service", "サービスを指定してください。")
	}
	if in.place == "" {
		bad.Addf("place", "窓口を指定してください。")
	}
	in.start = parseStart(&bad, "start", req.Start)
	in.people = parsePeople(&bad, req.People)
	in.email, in.phone = parseEmail(&bad, req.Email), parsePhone(&bad, req.Phone)
	switch in.lang = strings.TrimSpace(req.Lang); in.lang {
	case "":
		in.lang = "ja"
	case "ja", "en":
	default:
		bad.Addf("lang", "言語は ja か en を指定してください。")
	}
	if contact && in.email == "" && in.phone == "" && !bad.Has("email") && !bad.Has("phone") {
		bad.Addf("email", "連絡先として、メールアドレスか電話番号のどちらかを入力してください。")
	}
	return in, bad
}

func parseStart(bad *apperr.Fields, field, v string) time.Time {
	if strings.TrimSpace(v) == "" {
		bad.Addf(field, "日時を指定してください。")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		bad.Addf(field, "日時は「2026-12-01T09:00:00+09:00」の形（RFC 3339）で指定してください。")
	}
	return t
}

func parsePeople(bad *apperr.Fields, in []PersonInput) []person {
	if len(in) == 0 {
		bad.Addf("people", "予約する人を 1 人以上入力してください。")
		return nil
	}
	out := make([]person, 0, len(in))
	for i, pi := range in {
		out = append(out, parsePerson(bad, i, pi))
	}
	markDuplicates(bad, out)
	return out
}

func parsePerson(bad *apperr.Fields, i int, pi PersonInput) person {
	p := person{index: i, comes: Attendance(pi.Comes)}
	path := fmt.Sprintf("people[%d].", i)
	if p.comes != "" && !p.comes.Valid() {
		bad.Addf(path+"comes", "来庁する方は self、legal_representative、proxy のどれかです。")
	}
	if strings.TrimSpace(pi.BirthDate) == "" {
		bad.Addf(path+"birth_date", "生年月日を入力してください。")
	} else if d, err := ledger.ParseDate(pi.BirthDate); err != nil {
		bad.Addf(path+"birth_date", "生年月日は「1980-04-01」の形で、実在する日付を入力してください。")
	} else {
		p.birth = d
	}
	if strings.TrimSpace(pi.NoticeNumber) != "" {
		n, err := ledger.NormalizeNoticeNumber(pi.NoticeNumber)
		if err != nil {
			bad.Addf(path+"notice_number", "交付通知書番号は「A1B-123456」の形（英数字3文字、ハイフン、数字6桁）で入力してください。")
		}
		p.notice = n
		return p
	}
	p.name = cleanName(bad, path+"name", "氏名", pi.Name)
	p.kana = cleanName(bad, path+"name_kana", "フリガナ", pi.NameKana)
	return p
}

func cleanName(bad *apperr.Fields, field, what, v string) string {
	s := strings.TrimSpace(norm.NFC.String(v))
	switch {
	case s == "":
		bad.Addf(field, "%sを入力してください。", what)
	case utf8.RuneCountInString(s) > maxNameRunes:
		bad.Addf(field, "%sは %d 文字以内で入力してください。", what, maxNameRunes)
	}
	return s
}

// markDuplicates refuses the same person twice in one request.
func markDuplicates(bad *apperr.Fields, people []person) {
	seen := map[string]bool{}
	for _, p := range people {
		k := p.notice
		field := fmt.Sprintf("people[%d].notice_number", p.index)
		if k == "" {
			if p.kana == "" || p.birth == "" {
				continue
			}
			k, field = p.key(), fmt.Sprintf("people[%d]", p.index)
		}
		if k != "" && seen[k] {
			bad.Addf(field, "同じ人が 2 回入力されています。")
		}
		seen[k] = true
	}
}

func parseEmail(bad *apperr.Fields, v string) string {
	s := strings.TrimSpace(norm.NFKC.String(v))
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxEmailBytes || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		bad.Addf("email", "メールアドレスの形式が正しくありません（例 taro@example.jp）。")
	}
	return s
}

func parsePhone(bad *apperr.Fields, v string) string {
	s := strings.TrimSpace(norm.NFKC.String(v))
	if s == "" {
		return ""
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("-+() ", r):
		default:
			digits = -1 << 10
		}
	}
	if digits < minPhoneDigit || digits > maxPhoneDigit {
		bad.Addf("phone", "電話番号は数字とハイフンで入力してください（例 079-559-5000）。")
	}
	return s
}

// checkPeopleKind checks the people against the service: notice numbers
// for a service with a card, names otherwise, and not too many.
func checkPeopleKind(st booking.Settings, svc booking.Service, people []person) error {
	var bad apperr.Fields
	for _, p := range people {
		path := fmt.Sprintf("people[%d]", p.index)
		switch {
		case svc.RequiresCard && p.notice == "":
			bad.Addf(path+".notice_number", "交付通知書番号を入力してください。")
		case !svc.RequiresCard && p.notice != "":
			bad.Addf(path+".name", "このサービスでは交付通知書番号ではなく、氏名・フリガナ・生年月日を入力してください。")
		}
	}
	if err := st.CheckPeople(len(people)); err != nil {
		bad.Addf("people", "%s", apperr.MessageOf(err))
	}
	return bad.Err(validationMessage)
}
