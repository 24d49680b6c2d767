package ledger

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Workflows carries out what happens to cards nobody has picked up yet:
// notices and their returns, re-notices, holds and disposal, and the
// dashboard. The rules depend on the city's date, so it knows the city's
// time zone; everything else comes from the card service.
type Workflows struct {
	*Service
	loc *time.Location
}

// NewWorkflows returns the workflows of s in the city's time zone loc.
func NewWorkflows(s *Service, loc *time.Location) *Workflows {
	if loc == nil {
		loc = time.UTC
	}
	return &Workflows{Service: s, loc: loc}
}

// Today returns the service clock's time in loc: pages and answers that
// show flags use it so that a fake clock governs them too.
func (s *Service) Today(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return s.clock.Now().In(loc)
}

// Location is the city's time zone.
func (w *Workflows) Location() *time.Location { return w.loc }

func (w *Workflows) now() time.Time { return w.clock.Now().In(w.loc) }

func (w *Workflows) today() string { return w.now().Format(time.DateOnly) }

// Item is a card in one of the workflow lists, with what the rules say.
type Item struct {
	Card       store.CardRecord
	Dates      CardDates
	Assessment Assessment
	Hold       *store.DisposalHold // nil when none
	Disposal   *store.Disposal     // the proposal or record; nil when none
	Flags      []Flag
	MailTo     Address // where the next mailing goes
}

// HoldInForce reports whether a hold on disposal applies today.
func (it Item) HoldInForce() bool { return it.Assessment.Held }

// Address is a postal address.
type Address struct {
	PostalCode string
	Address    string
}

// ItemList is one page of a workflow list.
type ItemList struct {
	Items  []Item
	Total  int
	Limit  int
	Offset int
	Today  string
	Rules  DisposalRules
}

// ListQuery pages a workflow list.
type ListQuery struct {
	Limit  int // 0: DefaultLimit; -1: all (exports and print)
	Offset int
}

func (q ListQuery) check() (ListQuery, error) {
	if q.Limit == -1 {
		return ListQuery{Limit: -1}, nil
	}
	var fe fieldErrors
	q.Limit, q.Offset = parsePage(&fe, q.Limit, q.Offset)
	return q, fe.Err("表示の指定に誤りがあります。")
}

// page cuts one page out of items.
func (q ListQuery) page(items []Item) []Item {
	if q.Limit < 0 {
		return items
	}
	lo := min(q.Offset, len(items))
	return items[lo:min(lo+q.Limit, len(items))]
}

// evaluation is the rules and the day one read works with.
type evaluation struct {
	rules DisposalRules
	today string
	now   time.Time
}

func (w *Workflows) evaluation(ctx context.Context, tx *store.Tx) (evaluation, error) {
	rules, err := loadRules(ctx, tx)
	now := w.now()
	return evaluation{rules: rules, today: now.Format(time.DateOnly), now: now}, err
}

// item applies the rules to one card. Flags are added by withFlags.
func (w *Workflows) item(wc store.WorkflowCard, ev evaluation) Item {
	dates := w.datesOf(wc)
	facts := cardFacts{status: wc.Status, method: wc.Application.Method, expiry: wc.ExpiryDate,
		applied: w.appliedOf(wc.CardRecord), canDispose: slices.Contains(NextStatuses(wc.CardRecord), card.StatusDisposalPending),
		dates: dates}
	if wc.Hold != nil {
		facts.holdUntil = wc.Hold.Until
	}
	it := Item{Card: wc.CardRecord, Dates: dates, Assessment: ev.rules.assess(facts, ev.today), Hold: wc.Hold,
		Disposal: wc.Disposal, MailTo: Address{wc.Resident.PostalCode, wc.Resident.Address}}
	if wc.LastNotice.Address != "" {
		it.MailTo = Address{wc.LastNotice.PostalCode, wc.LastNotice.Address}
	}
	return it
}

// datesOf takes the dates from the postings. A card moved from the card
// page, or imported, has a status event and no posting: the event's day
// stands in. A posting and the event written with it share their time, so
// only an event after the posting means a later mailing without one.
func (w *Workflows) datesOf(wc store.WorkflowCard) CardDates {
	d := CardDates{FirstNotice: wc.FirstNotice, LastNotice: wc.LastNotice.Date, Returns: wc.Returns}
	if ev := dayIn(wc.FirstNoticeEvent, w.loc); ev != "" && (d.FirstNotice == "" || ev < d.FirstNotice) {
		d.FirstNotice = ev
	}
	if wc.LastNoticeEvent.After(wc.LastNotice.CreatedAt) {
		d.LastNotice = dayIn(wc.LastNoticeEvent, w.loc)
	}
	d.Returned, d.ReturnReason = wc.LastReturn.Date, ReturnReason(wc.LastReturn.Reason)
	if wc.LastReturnEvent.After(wc.LastReturn.CreatedAt) {
		d.Returned, d.ReturnReason = dayIn(wc.LastReturnEvent, w.loc), ""
		d.Returns = max(d.Returns, 1)
	}
	if r := wc.LastRenotice.Date; r != "" && d.LastNotice != "" && r >= d.LastNotice {
		d.Renotice = r
	}
	return d
}

// appliedOf stands in for the application date, which the ledger does not
// hold: the earliest date known to come after it.
func (w *Workflows) appliedOf(rec store.CardRecord) string {
	days := []string{rec.IssueDate, rec.DeliveryDate, dayIn(rec.Application.CreatedAt, w.loc)}
	days = slices.DeleteFunc(days, func(d string) bool { return d == "" })
	if len(days) == 0 {
		return ""
	}
	return slices.Min(days)
}

// collect evaluates the cards of f and keeps those keep accepts, with
// their flags.
func (w *Workflows) collect(ctx context.Context, tx *store.Tx, ev evaluation, f store.WorkflowFilter, keep func(Item) bool) ([]Item, error) {
	out := []Item{}
	err := tx.EachWorkflowCard(ctx, f, func(wc store.WorkflowCard) error {
		if it := w.item(wc, ev); keep(it) {
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, w.withFlags(ctx, tx, ev, out)
}

func (w *Workflows) withFlags(ctx context.Context, tx *store.Tx, ev evaluation, items []Item) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Card.ID
	}
	noShows, err := tx.NoShowCounts(ctx, ids)
	if err != nil {
		return err
	}
	for i := range items {
		it := &items[i]
		it.Flags = FlagsWith(it.Card, ev.now, FlagFacts{Returns: it.Dates.Returns, NoShows: noShows[it.Card.ID]})
	}
	return nil
}

// sortItems orders a list by the day that matters (oldest first), then by
// kana and card.
func sortItems(items []Item, day func(Item) string) {
	slices.SortStableFunc(items, func(a, b Item) int {
		return cmp.Or(cmp.Compare(day(a), day(b)), cmp.Compare(a.Card.Resident.NameKana, b.Card.Resident.NameKana),
			cmp.Compare(a.Card.ID, b.Card.ID))
	})
}

// list evaluates, sorts and pages a workflow list, and records which cards
// p was shown under action.
func (w *Workflows) list(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery, action string,
	f store.WorkflowFilter, keep func(Item) bool, day func(Item) string) (ItemList, error) {
	q, err := q.check()
	if err != nil {
		return ItemList{}, err
	}
	var all []Item
	var ev evaluation
	err = w.db.View(ctx, func(tx *store.Tx) (err error) {
		if ev, err = w.evaluation(ctx, tx); err != nil {
			return err
		}
		all, err = w.collect(ctx, tx, ev, f, keep)
		return err
	})
	if err != nil {
		return ItemList{}, err
	}
	sortItems(all, day)
	res := ItemList{Items: q.page(all), Total: len(all), Limit: q.Limit, Offset: q.Offset, Today: ev.today, Rules: ev.rules}
	return res, w.auditList(ctx, p, m, action, res)
}

// auditList records a list of resident data: who saw which cards.
func (w *Workflows) auditList(ctx context.Context, p auth.Principal, m auth.Meta, action string, res ItemList) error {
	ids := make([]int64, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.Card.ID
	}
	return w.db.Update(ctx, func(tx *store.Tx) error {
		return w.audit(ctx, tx, p, m, action, "cards", map[string]any{"total": res.Total, "card_ids": ids,
			"limit": res.Limit, "offset": res.Offset})
	})
}

// statusesToward returns the statuses from which a card of either method
// may move to status to, in journey order.
func statusesToward(to card.Status) []card.Status {
	var out []card.Status
	for _, s := range card.AllStatuses() {
		for _, m := range card.AllMethods() {
			if slices.Contains(card.AllowedNext(s, m), to) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
