package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Paging limits of a search.
const (
	DefaultLimit = store.DefaultCardLimit
	MaxLimit     = 200
	maxQueryRune = 100
)

// Query is a card search as staff type it. The service normalises it
// (full-width digits, lower-case notice numbers, date styles) and reports
// every field it cannot understand at once.
type Query struct {
	NoticeNumber    string   // 交付通知書番号, exact; "a1b123456" is read as "A1B-123456"
	ApplicationID   string   // 申請書ID, 23 digits
	Q               string   // name in kanji or kana, partial
	BirthDate       string   // 2001-02-03, 2001/2/3 or 20010203
	Statuses        []string // any of these statuses
	DeliveredFrom   string   // delivery date range, inclusive
	DeliveredTo     string
	Box             string // box or lot, exact
	StorageLocation string // prefix
	Remarks         string // text within the remarks
	Method          string // counter or at_application
	Flag            string
	Sort            string // a store.CardSorts key, "-" in front for descending
	Limit           int    // 0: DefaultLimit
	Offset          int
}

// Result is one page of a search.
type Result struct {
	Cards  []store.CardRecord
	Total  int // all matches
	Limit  int
	Offset int
}

// Search returns the cards matching q and records the search in the audit
// log: the conditions (the typed name included, which staff chose to
// search for) and which cards were shown.
func (s *Service) Search(ctx context.Context, p auth.Principal, m auth.Meta, q Query) (Result, error) {
	f, err := q.filter()
	if err != nil {
		return Result{}, err
	}
	res := Result{Limit: f.Limit, Offset: f.Offset}
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		res.Cards, res.Total, err = tx.SearchCards(ctx, f)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	// Searching holds no write lock; only the audit entry needs one.
	// The typed name, notice number, birth date and remark are personal
	// data: the audit entry keeps them sealed (the log viewer opens them).
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		sealed := q
		for _, v := range []*string{&sealed.Q, &sealed.NoticeNumber, &sealed.BirthDate, &sealed.Remarks} {
			if *v, err = tx.Seal(*v, "audit_log.q"); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, p, m, "card.searched", "cards", searchDetail(sealed, res))
	})
	return res, err
}

func searchDetail(q Query, res Result) map[string]any {
	ids := make([]int64, len(res.Cards))
	for i, c := range res.Cards {
		ids[i] = c.ID
	}
	return map[string]any{"filter": q.auditFilter(), "total": res.Total, "card_ids": ids}
}

// auditFilter lists the conditions that were given.
func (q Query) auditFilter() map[string]any {
	out := map[string]any{}
	for k, v := range map[string]string{"notice_number": q.NoticeNumber, "application_id": q.ApplicationID,
		"q": q.Q, "birth_date": q.BirthDate, "delivered_from": q.DeliveredFrom, "delivered_to": q.DeliveredTo,
		"box": q.Box, "storage_location": q.StorageLocation, "remarks": q.Remarks, "method": q.Method,
		"flag": q.Flag, "sort": q.Sort} {
		if v != "" {
			out[k] = v
		}
	}
	if len(q.Statuses) > 0 {
		out["status"] = q.Statuses
	}
	out["limit"], out["offset"] = q.Limit, q.Offset
	return out
}

// filter validates and normalises the query into a store filter.
func (q Query) filter() (store.CardFilter, error) {
	var fe fieldErrors
	f := store.CardFilter{
		NoticeNumber:    fe.check("notice_number", q.NoticeNumber, NormalizeNoticeNumber),
		ApplicationID:   fe.check("application_id", q.ApplicationID, NormalizeApplicationID),
		BirthDate:       fe.check("birth_date", q.BirthDate, ParseDate),
		DeliveredFrom:   fe.check("delivered_from", q.DeliveredFrom, ParseDate),
		DeliveredTo:     fe.check("delivered_to", q.DeliveredTo, ParseDate),
		Query:           strings.TrimSpace(q.Q),
		Box:             strings.TrimSpace(q.Box),
		StorageLocation: normalizeLocation(q.StorageLocation),
		Remarks:         strings.TrimSpace(q.Remarks),
		Flag:            strings.TrimSpace(q.Flag),
	}
	if n := len([]rune(f.Query)); n > maxQueryRune {
		fe.Add("q", fmt.Sprintf("氏名は%d文字以内で入力してください。", maxQueryRune))
	}
	f.Statuses = parseStatuses(&fe, q.Statuses)
	f.Method = parseMethod(&fe, q.Method)
	f.Sort, f.Desc = parseSort(&fe, q.Sort)
	f.Limit, f.Offset = parsePage(&fe, q.Limit, q.Offset)
	return f, fe.Err("検索条件に誤りがあります。")
}

func parseStatuses(fe *fieldErrors, in []string) []card.Status {
	var out []card.Status
	for _, v := range in {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			st, err := card.ParseStatus(part)
			if err != nil {
				fe.Add("status", apperr.MessageOf(err))
				continue
			}
			out = append(out, st)
		}
	}
	return slices.Compact(out)
}

func parseMethod(fe *fieldErrors, v string) card.Method {
	if v = strings.TrimSpace(v); v == "" {
		return ""
	}
	m, err := card.ParseMethod(v)
	if err != nil {
		fe.Add("method", apperr.MessageOf(err))
	}
	return m
}

func parseSort(fe *fieldErrors, v string) (string, bool) {
	key, desc := strings.CutPrefix(strings.TrimSpace(v), "-")
	if key != "" && !slices.Contains(store.CardSorts(), key) {
		fe.Add("sort", fmt.Sprintf("並べ替えは %s のいずれかで指定してください。", strings.Join(store.CardSorts(), ", ")))
	}
	return key, desc
}

func parsePage(fe *fieldErrors, limit, offset int) (int, int) {
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		fe.Add("limit", fmt.Sprintf("表示件数は1から%dまでで指定してください。", MaxLimit))
	}
	if offset < 0 {
		fe.Add("offset", "開始位置は0以上で指定してください。")
	}
	return limit, offset
}

// fieldErrors collects problems with the fields of one request, with the
// checks the ledger's requests repeat.
type fieldErrors struct{ apperr.Fields }

// check normalises an optional value with fn, noting a failure.
func (fe *fieldErrors) check(field, v string, fn func(string) (string, error)) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	out, err := fn(v)
	if err != nil {
		fe.Add(field, apperr.MessageOf(err))
	}
	return out
}
