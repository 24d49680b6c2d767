package ledger

import (
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
)

// DisposalSettingsKey is where the rules for uncollected cards are stored
// in the settings table.
const DisposalSettingsKey = "disposal"

// What the disposal period of a card that was never picked up counts from.
const (
	FromFirstNotice = "first_notice" // the day the first notice was mailed
	FromApplication = "application"  // the application (see DisposalRules)
)

// DisposalRules are the city's rules for cards nobody picks up: one JSON
// document that admins edit, since retention differs by city. Periods
// follow the civil code's way of counting (the first day is not counted):
// a notice mailed on 4/1 with 90 days is valid until 6/30, and "12 months
// since 2024-06-02" has passed from 2025-06-03.
type DisposalRules struct {
	// NoticeValidDays: the notice's deadline is the mailing date plus
	// this many days (the date printed on the notice).
	NoticeValidDays int `json:"notice_valid_days"`
	// RenoticeAfterDays: a re-notice is due this many days after the
	// notice's deadline.
	RenoticeAfterDays int `json:"renotice_after_days"`
	// RenoticeValidDays: the re-notice's deadline is its mailing date
	// plus this many days.
	RenoticeValidDays int `json:"renotice_valid_days"`
	// DisposalMonths: a card whose re-notice deadline has passed is due
	// for disposal once this many months have passed since DisposalFrom.
	DisposalMonths int `json:"disposal_months"`
	// DisposalFrom is first_notice or application. The ledger holds no
	// application date, so "application" counts from the card's issue
	// date (発行日), or its delivery date, or when it entered the ledger:
	// all later than the application, so a card is never disposed of early.
	DisposalFrom string `json:"disposal_from"`
	// ReturnedMonths: a card whose notice came back undelivered is due
	// for disposal this many months after the return.
	ReturnedMonths int `json:"returned_months"`
}

// DefaultDisposalRules are the rules before an admin sets the city's own.
func DefaultDisposalRules() DisposalRules {
	return DisposalRules{NoticeValidDays: 90, RenoticeAfterDays: 14, RenoticeValidDays: 30,
		DisposalMonths: 12, DisposalFrom: FromFirstNotice, ReturnedMonths: 12}
}

// Validate reports every field that is out of range, in Japanese.
func (r DisposalRules) Validate() error {
	var fe fieldErrors
	days := func(v int, field string) {
		if v < 1 || v > 730 {
			fe.Add(field, "1 以上 730 以下の日数で指定してください。")
		}
	}
	months := func(v int, field string) {
		if v < 1 || v > 120 {
			fe.Add(field, "1 以上 120 以下の月数で指定してください。")
		}
	}
	days(r.NoticeValidDays, "notice_valid_days")
	days(r.RenoticeAfterDays, "renotice_after_days")
	days(r.RenoticeValidDays, "renotice_valid_days")
	months(r.DisposalMonths, "disposal_months")
	months(r.ReturnedMonths, "returned_months")
	if r.DisposalFrom != FromFirstNotice && r.DisposalFrom != FromApplication {
		fe.Add("disposal_from", "「first_notice」（最初の通知日）か「application」（申請）を指定してください。")
	}
	return fe.Err("廃棄の設定に誤りがあります。")
}

// Rules that make a card due for disposal.
const (
	RuleRenotice  = "renotice_expired" // re-notice deadline and retention period passed
	RuleReturned  = "returned"         // retention after a returned notice passed
	RuleExpired   = "expired"          // the card itself expired
	RuleCancelled = "cancelled"        // the application was cancelled
)

// RuleLabel is the plain Japanese reason a card is due for disposal.
func RuleLabel(rule string) string {
	switch rule {
	case RuleRenotice:
		return "再通知の期限と保管期間が経過"
	case RuleReturned:
		return "通知書の返戻後の保管期間が経過"
	case RuleExpired:
		return "カードの有効期限切れ"
	case RuleCancelled:
		return "廃止されたカード"
	}
	return rule
}

// CardDates are the dates the rules read about one card: from its
// postings, or from its status history when it was moved on the card page
// or imported. "" when unknown.
type CardDates struct {
	FirstNotice  string
	LastNotice   string // the notice now running: the first, or a re-send
	Renotice     string // the re-notice of LastNotice; "" when none yet
	Returned     string // the last return
	ReturnReason ReturnReason
	Returns      int
}

// Assessment is what the rules say about a card today.
type Assessment struct {
	NoticeDeadline   string // "" when no notice was mailed
	NoticeOverdue    bool   // waiting for its owner after the deadline
	RenoticeDueFrom  string
	RenoticeDue      bool
	RenoticeDeadline string
	DisposalRule     string // the rule that makes (or will make) the card due; "" when none
	DisposalDueFrom  string // "" with a rule: due at once
	DisposalDue      bool   // due and not held
	Held             bool   // a hold on disposal is in force today
}

// cardFacts are the inputs of the rules for one card.
type cardFacts struct {
	status     card.Status
	method     card.Method
	expiry     string
	applied    string // stand-in for the application date
	canDispose bool   // disposal_pending is a move the card may make now
	dates      CardDates
	holdUntil  string
}

// assess applies the rules on day today (YYYY-MM-DD).
func (r DisposalRules) assess(f cardFacts, today string) Assessment {
	var a Assessment
	if f.dates.LastNotice != "" {
		a.NoticeDeadline = addDays(f.dates.LastNotice, r.NoticeValidDays)
		a.RenoticeDueFrom = addDays(a.NoticeDeadline, r.RenoticeAfterDays)
	}
	waiting := f.status == card.StatusNoticeSent && f.method == card.MethodCounter
	a.NoticeOverdue = waiting && a.NoticeDeadline != "" && today > a.NoticeDeadline
	a.RenoticeDue = waiting && a.RenoticeDueFrom != "" && f.dates.Renotice == "" && today >= a.RenoticeDueFrom
	if f.dates.Renotice != "" {
		a.RenoticeDeadline = addDays(f.dates.Renotice, r.RenoticeValidDays)
	}
	a.Held = f.holdUntil != "" && f.holdUntil >= today
	if !f.canDispose {
		return a
	}
	a.DisposalRule, a.DisposalDueFrom = r.disposalDue(f, a)
	a.DisposalDue = a.DisposalRule != "" && a.DisposalDueFrom <= today && !a.Held
	return a
}

// disposalDue returns the rule that makes the card due first and the day
// it does ("" for at once); no rule when none applies yet.
func (r DisposalRules) disposalDue(f cardFacts, a Assessment) (string, string) {
	type due struct{ rule, from string }
	var found []due
	if f.expiry != "" {
		found = append(found, due{RuleExpired, addDays(f.expiry, 1)})
	}
	switch {
	case f.status == card.StatusCancelled:
		found = append(found, due{RuleCancelled, ""})
	case (f.status == card.StatusNoticeReturned || f.status == card.StatusMailReturned) && f.dates.Returned != "":
		found = append(found, due{RuleReturned, monthsPassed(f.dates.Returned, r.ReturnedMonths)})
	case f.status == card.StatusNoticeSent && a.RenoticeDeadline != "":
		if base := r.base(f); base != "" {
			found = append(found, due{RuleRenotice, max(addDays(a.RenoticeDeadline, 1), monthsPassed(base, r.DisposalMonths))})
		}
	}
	if len(found) == 0 {
		return "", ""
	}
	first := found[0]
	for _, d := range found[1:] {
		if d.from < first.from {
			first = d
		}
	}
	return first.rule, first.from
}

func (r DisposalRules) base(f cardFacts) string {
	if r.DisposalFrom == FromApplication {
		return f.applied
	}
	return f.dates.FirstNotice
}

// addDays returns the day n days after day (YYYY-MM-DD).
func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// monthsPassed returns the first day on which n months have passed since
// day, counted as the civil code does: the period ends on the day before
// the day that corresponds to the day after day, or at the end of the
// month when that month has no such day (1/31 + 1 month ends 2/28 or
// 2/29, so it has passed from 3/1).
func monthsPassed(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	end := time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
	return end.AddDate(0, 0, 1).Format(time.DateOnly)
}

// dayIn returns the date of t in loc, or "" for the zero time.
func dayIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// checkDay reads a required date that may not lie after today.
func checkDay(fe *fieldErrors, field, label, v, today string) string {
	if v == "" {
		fe.Add(field, label+"を入力してください。")
		return ""
	}
	d, err := ParseDate(v)
	if err != nil {
		fe.Add(field, apperr.MessageOf(err))
		return ""
	}
	if d > today {
		fe.Add(field, fmt.Sprintf("%sに未来の日付（%s）は指定できません。", label, d))
	}
	return d
}
