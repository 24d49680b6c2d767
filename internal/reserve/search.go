package reserve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// Limits of a booking search.
const (
	SearchDefaultLimit = 50
	SearchMaxLimit     = 200
	// maxNamedCards bounds the cards a name matches before their bookings
	// are looked up: a name that fits more is too short to search by.
	maxNamedCards = 500
	maxQueryRunes = 100
)

// SearchQuery is a search of bookings across days as staff type it. The
// name (Q) is looked up as the card search does (kanji or kana, through
// the blind index of the ledger's names), so it finds the bookings of
// cards; people booked for a service without a card are found by code,
// date and place.
type SearchQuery struct {
	Code         string // with or without the hyphen
	NoticeNumber string
	Q            string
	From         string // YYYY-MM-DD, inclusive
	To           string
	Place        string
	Statuses     []string
	Limit        int // 0: SearchDefaultLimit; -1: every match (exports)
	Offset       int
}

// SearchResult is one page of a search.
type SearchResult struct {
	Bookings []Booking
	Total    int
	Limit    int
	Offset   int
}

// Search finds bookings across days and records the search in the audit
// log: the conditions (typed name and notice number sealed, as the card
// search keeps them) and which bookings were shown.
func (s *Service) Search(ctx context.Context, p auth.Principal, m auth.Meta, q SearchQuery) (SearchResult, error) {
	f, res, err := s.find(ctx, q, nil)
	if err != nil {
		return SearchResult{}, err
	}
	return res, s.update(ctx, func(tx *store.Tx, now time.Time) error {
		detail, err := searchDetail(tx, q, f, res)
		if err != nil {
			return err
		}
		return staffActor(p, m).audit(ctx, tx, now, "booking.searched", "bookings", detail)
	})
}

// find runs a search in one read transaction; also, when given, runs in
// it with the store filter (an export's range check and 外字 table).
func (s *Service) find(ctx context.Context, q SearchQuery, also func(*store.Tx, store.BookingSearch) error) (store.BookingSearch, SearchResult, error) {
	f, name, notice, err := q.filter()
	if err != nil {
		return f, SearchResult{}, err
	}
	res := SearchResult{Limit: f.Limit, Offset: f.Offset}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if err := cardsOf(ctx, tx, &f, name, notice); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, f); err != nil {
				return err
			}
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		bs, total, err := tx.SearchBookings(ctx, f)
		for _, b := range bs {
			res.Bookings = append(res.Bookings, view(st, b, s.clock.Now()))
		}
		res.Total = total
		return err
	})
	return f, res, err
}

// filter validates and normalises the query; it answers the name and the
// notice number apart, as they are resolved to cards first.
func (q SearchQuery) filter() (f store.BookingSearch, name, notice string, err error) {
	var bad apperr.Fields
	f = store.BookingSearch{Place: strings.TrimSpace(q.Place), Limit: q.Limit, Offset: q.Offset}
	if c := strings.TrimSpace(q.Code); c != "" {
		code, ok := NormalizeCode(c)
		if !ok {
			bad.Addf("code", "予約番号は「ABCD-EFGH」の形（英数字8文字）で入力してください。")
		}
		f.Code = code
	}
	if n := strings.TrimSpace(q.NoticeNumber); n != "" {
		if notice, err = ledger.NormalizeNoticeNumber(n); err != nil {
			bad.Addf("notice_number", "%s", apperr.MessageOf(err))
		}
	}
	name = strings.TrimSpace(q.Q)
	if utf8.RuneCountInString(name) > maxQueryRunes {
		bad.Addf("q", "氏名は%d文字以内で入力してください。", maxQueryRunes)
	}
	f.From, f.To = searchDate(&bad, "from", q.From), searchDate(&bad, "to", q.To)
	if f.From != "" && f.To != "" && f.To < f.From {
		bad.Addf("to", "期間の終わりは始まり以降の日付にしてください。")
	}
	for _, st := range q.Statuses {
		if !slices.Contains(listable(), st) {
			bad.Addf("status", "状態「%s」はありません。%s のいずれかを指定してください。", st, strings.Join(listable(), ", "))
			continue
		}
		f.Statuses = append(f.Statuses, st)
	}
	switch {
	case f.Limit == 0:
		f.Limit = SearchDefaultLimit
	case f.Limit == -1:
		f.Limit = 0
	case f.Limit < 1 || f.Limit > SearchMaxLimit:
		bad.Addf("limit", "表示件数は1から%dまでで指定してください。", SearchMaxLimit)
	}
	if f.Offset < 0 {
		bad.Addf("offset", "開始位置は0以上で指定してください。")
	}
	return f, name, notice, bad.Err(validationMessage)
}

func searchDate(bad *apperr.Fields, field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	d, err := ledger.ParseDate(v)
	if err != nil {
		bad.Addf(field, "日付は「2026-12-01」の形で指定してください。")
	}
	return d
}

// cardsOf resolves a notice number and a name to the cards they name, as
// the card search does, and narrows the search to their bookings.
func cardsOf(ctx context.Context, tx *store.Tx, f *store.BookingSearch, name, notice string) error {
	if name == "" && notice == "" {
		return nil
	}
	cards, total, err := tx.SearchCards(ctx, store.CardFilter{NoticeNumber: notice, Query: name, Sort: "id", Limit: maxNamedCards})
	if err != nil {
		return err
	}
	if total > maxNamedCards {
		return InvalidInput(apperr.FieldError{Field: "q", Message: fmt.Sprintf(
			"この氏名に当たるカードが %d 件あります。氏名を長くするか、予約番号・通知書番号で探してください。", total)})
	}
	f.ByCards = true
	for _, c := range cards {
		f.CardIDs = append(f.CardIDs, c.ID)
	}
	return nil
}

// searchDetail is the audit entry of a search: the conditions, with the
// typed name and notice number sealed, and the bookings shown.
func searchDetail(tx *store.Tx, q SearchQuery, f store.BookingSearch, res SearchResult) (map[string]any, error) {
	name, err := tx.Seal(strings.TrimSpace(q.Q), "audit_log.q")
	if err != nil {
		return nil, err
	}
	notice, err := tx.Seal(strings.TrimSpace(q.NoticeNumber), "audit_log.q")
	if err != nil {
		return nil, err
	}
	filter := map[string]any{}
	for k, v := range map[string]string{"code": f.Code, "notice_number": notice, "q": name,
		"from": f.From, "to": f.To, "place": f.Place} {
		if v != "" {
			filter[k] = v
		}
	}
	if len(f.Statuses) > 0 {
		filter["status"] = f.Statuses
	}
	ids := make([]int64, len(res.Bookings))
	for i, b := range res.Bookings {
		ids[i] = b.ID
	}
	return map[string]any{"filter": filter, "total": res.Total, "booking_ids": ids,
		"limit": f.Limit, "offset": f.Offset}, nil
}

// Detail is a booking's page for staff: the booking, what happened to it
// (its audit entries, newest first) and the mails sent about it.
type Detail struct {
	Booking
	History []audit.Entry
	Mails   []store.MailMessage
}

// maxHistory bounds the entries a booking page shows.
const maxHistory = 500

// StaffDetail returns the booking's page and audits the view.
func (s *Service) StaffDetail(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Detail, error) {
	var out Detail
	err := s.db.View(ctx, func(tx *store.Tx) error {
		b, err := byID(id)(ctx, tx)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		out.Booking = view(st, b, s.clock.Now())
		_, err = tx.SearchAudit(ctx, store.AuditFilter{Target: bookingTarget(id), Limit: maxHistory}, func(e audit.Entry) error {
			if e.Action != "booking.viewed" { // what was done, not who looked
				out.History = append(out.History, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		out.Mails, err = tx.ListMail(ctx, store.MailFilter{BookingID: id})
		return err
	})
	if err != nil {
		return Detail{}, err
	}
	return out, s.update(ctx, func(tx *store.Tx, now time.Time) error {
		return staffActor(p, m).audit(ctx, tx, now, "booking.viewed", bookingTarget(id), nil)
	})
}

// CardBookings returns the bookings still waiting in which the card's
// holder is expected (one at most, by the one-booking-per-card rule), for
// the card page, and audits the read when there is one.
func (s *Service) CardBookings(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64) ([]Booking, error) {
	var out []Booking
	err := s.db.View(ctx, func(tx *store.Tx) error {
		bs, err := tx.ActiveBookingsOfCard(ctx, cardID)
		if err != nil || len(bs) == 0 {
			return err
		}
		st, err := loadSettings(ctx, tx)
		for _, b := range bs {
			out = append(out, view(st, b, s.clock.Now()))
		}
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	return out, s.update(ctx, func(tx *store.Tx, now time.Time) error {
		ids := make([]int64, len(out))
		for i, b := range out {
			ids[i] = b.ID
		}
		return staffActor(p, m).audit(ctx, tx, now, "booking.listed_for_card", "card:"+fmt.Sprint(cardID),
			map[string]any{"booking_ids": ids})
	})
}
