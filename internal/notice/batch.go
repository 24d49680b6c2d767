package notice

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/store"
)

// MaxBatch bounds the cards of one batch.
const MaxBatch = 10000

// Selection chooses the cards of a new batch: the cards named, or the
// first Count candidates (oldest delivery first) that pass the filters.
type Selection struct {
	Kind          string // "" is KindGuide
	CardIDs       []int64
	Count         int
	DeliveredFrom string // YYYY-MM-DD, inclusive
	DeliveredTo   string
	Box           string // exact
	Place         string // storage location prefix: "A棚" finds "A棚-3-12"
	Method        card.Method
}

// HeldCard is a card of a batch that is not printed, and why.
type HeldCard struct {
	CardID int64  `json:"card_id"`
	Reason string `json:"reason"`
	Name   string `json:"-"` // as stored (外字 still private use); set by Get for the staff page
}

// Batch is a batch with its held cards.
type Batch struct {
	store.NoticeBatch
	HeldCards []HeldCard
	Assigned  int // notice numbers assigned when it was made
}

// Candidate is a card a batch of a kind may take.
type Candidate struct {
	ledger.Item
	Batch int64 // the open batch that already holds it; 0 if none
}

// Candidates lists the cards a batch of kind may take, those already in
// an open batch marked, and records who saw which cards.
func (s *Service) Candidates(ctx context.Context, p auth.Principal, m auth.Meta, sel Selection) ([]Candidate, error) {
	sel.Kind = cmpKind(sel.Kind)
	l, err := s.wf.MailCandidates(ctx, p, m, sel.Kind)
	if err != nil {
		return nil, err
	}
	var open map[int64]int64
	err = s.db.View(ctx, func(tx *store.Tx) (err error) { open, err = tx.CardsInOpenNoticeBatches(ctx); return err })
	if err != nil {
		return nil, err
	}
	out := []Candidate{}
	for _, it := range l.Items {
		if sel.matches(it.Card) {
			out = append(out, Candidate{Item: it, Batch: open[it.Card.ID]})
		}
	}
	return out, nil
}

func cmpKind(kind string) string {
	if kind == "" {
		return KindGuide
	}
	return kind
}

func (sel Selection) matches(c store.CardRecord) bool {
	return (sel.DeliveredFrom == "" || c.DeliveryDate >= sel.DeliveredFrom) &&
		(sel.DeliveredTo == "" || (c.DeliveryDate != "" && c.DeliveryDate <= sel.DeliveredTo)) &&
		(sel.Box == "" || c.Box == sel.Box) &&
		(sel.Place == "" || strings.HasPrefix(c.StorageLocation, sel.Place)) &&
		(sel.Method == "" || c.Application.Method == sel.Method)
}

func (sel Selection) check() error {
	var fields apperr.Fields
	add := func(f, msg string) { fields.Add(f, msg) }
	if !slices.Contains(Kinds, sel.Kind) {
		add("kind", fmt.Sprintf("発送の種類「%s」はありません（guide、reminder、resend）。", sel.Kind))
	}
	switch {
	case len(sel.CardIDs) > 0 && sel.Count > 0:
		add("count", "カードを選ぶか枚数を指定するか、どちらか一方にしてください。")
	case len(sel.CardIDs) == 0 && sel.Count <= 0:
		add("count", "カードを選ぶか、発送する枚数を 1 以上で指定してください。")
	case sel.Count > MaxBatch || len(sel.CardIDs) > MaxBatch:
		add("count", fmt.Sprintf("一度に作れる発送分は %d 枚までです。", MaxBatch))
	}
	for _, d := range []struct{ field, v string }{{"delivered_from", sel.DeliveredFrom}, {"delivered_to", sel.DeliveredTo}} {
		if d.v != "" && !isDay(d.v) {
			add(d.field, "日付は 2026-04-01 の形で指定してください。")
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields(fields[0].Message, fields)
	}
	return nil
}

// Create makes a numbered batch whose cards are fixed: the cards named
// (each must be a candidate not in another open batch), or the next Count
// candidates. A card whose notice cannot go on paper (no postal code or
// address, an unmapped 外字, a character the font lacks) is kept in the
// batch as held, with its reason, and is neither printed nor confirmed. A
// card without a notice number gets one now. One transaction, audited.
func (s *Service) Create(ctx context.Context, p auth.Principal, m auth.Meta, sel Selection) (Batch, error) {
	sel.Kind = cmpKind(sel.Kind)
	if err := sel.check(); err != nil {
		return Batch{}, err
	}
	cands, err := s.Candidates(ctx, p, m, sel)
	if err != nil {
		return Batch{}, err
	}
	chosen, err := sel.choose(cands)
	if err != nil {
		return Batch{}, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return Batch{}, err
	}
	gaiji, err := s.gaiji(ctx)
	if err != nil {
		return Batch{}, err
	}
	if st.Household {
		chosen = byHousehold(chosen)
	}
	var out Batch
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		out, err = s.insert(ctx, tx, p, m, sel.Kind, chosen, paper.GaijiTable(gaiji))
		return err
	})
	return out, err
}

// choose picks the named cards or the first Count candidates not in an
// open batch.
func (sel Selection) choose(cands []Candidate) ([]ledger.Item, error) {
	var out []ledger.Item
	if len(sel.CardIDs) == 0 {
		for _, c := range cands {
			if c.Batch == 0 && len(out) < sel.Count {
				out = append(out, c.Item)
			}
		}
		if len(out) == 0 {
			return nil, apperr.New(apperr.Invalid, "条件に合う発送の対象のカードがありません。")
		}
		return out, nil
	}
	byID := map[int64]Candidate{}
	for _, c := range cands {
		byID[c.Card.ID] = c
	}
	var fields apperr.Fields
	for _, id := range slices.Compact(slices.Sorted(slices.Values(sel.CardIDs))) {
		c, ok := byID[id]
		switch {
		case !ok:
			fields.Add("card_ids", fmt.Sprintf("カード %d はこの発送の対象ではありません（状態や条件を確認してください）。", id))
		case c.Batch != 0:
			fields.Add("card_ids", fmt.Sprintf("カード %d は発送分 %d に入っていて、まだ発送済みになっていません。", id, c.Batch))
		default:
			out = append(out, c.Item)
		}
	}
	if len(fields) > 0 {
		return nil, apperr.WithFields(fields[0].Message, fields)
	}
	return out, nil
}

// byHousehold puts the cards of one address next to each other, in the
// order each address first appears, so each household gets one letter.
func byHousehold(items []ledger.Item) []ledger.Item {
	order := map[string]int{}
	for _, it := range items {
		k := householdKey(it.Card)
		if _, ok := order[k]; !ok {
			order[k] = len(order)
		}
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b ledger.Item) int { return order[householdKey(a.Card)] - order[householdKey(b.Card)] })
	return out
}

func householdKey(c store.CardRecord) string {
	return strings.Join(strings.Fields(c.Resident.PostalCode+" "+c.Resident.Address), " ")
}

// insert writes the batch: held reasons, notice numbers, the rows and the
// audit entry.
func (s *Service) insert(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, kind string, items []ledger.Item, gaiji paper.Gaiji) (Batch, error) {
	b := Batch{NoticeBatch: store.NoticeBatch{Kind: kind, CreatedAt: s.clock.Now(), CreatedBy: p.Username}, HeldCards: []HeldCard{}}
	rows := make([]store.NoticeBatchCard, len(items))
	taken := map[string]bool{}
	var assigned []int64
	for i, it := range items {
		reason := holdReason(kind, it, gaiji)
		rows[i] = store.NoticeBatchCard{CardID: it.Card.ID, Position: i + 1, HeldReason: reason}
		if reason != "" {
			b.HeldCards = append(b.HeldCards, HeldCard{CardID: it.Card.ID, Reason: reason})
			continue
		}
		b.Cards++
		if it.Card.NoticeNumber != "" {
			continue
		}
		n, err := freeNoticeNumber(ctx, tx, taken)
		if err != nil {
			return b, err
		}
		if err := s.wf.AssignNoticeNumber(ctx, tx, p, m, it.Card.ID, n); err != nil {
			return b, err
		}
		assigned = append(assigned, it.Card.ID)
	}
	b.Held, b.Assigned = len(b.HeldCards), len(assigned)
	if err := tx.InsertNoticeBatch(ctx, &b.NoticeBatch, rows); err != nil {
		return b, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Card.ID
	}
	return b, s.audit(ctx, tx, p, m, "notice_batch.created", batchTarget(b.ID), map[string]any{"kind": kind,
		"card_ids": ids, "held": b.HeldCards, "notice_numbers_assigned": assigned})
}

// holdReason tells why a card's notice cannot be printed for a batch of
// kind, or "".
func holdReason(kind string, it ledger.Item, gaiji paper.Gaiji) string {
	r := it.Card.Resident
	switch {
	case kind == KindResend && sameAddress(it.MailTo, ledger.Address{PostalCode: r.PostalCode, Address: r.Address}):
		return "返戻された送付先と住民記録の住所が同じです。住所を確認し、カードの画面から新しい送付先へ再送付してください。"
	case kind == KindReminder && it.MailTo.Address != "" && !sameAddress(it.MailTo, ledger.Address{PostalCode: r.PostalCode, Address: r.Address}):
		return "前回の送付先が住民記録の住所と違います。カードの画面から個別に再通知してください。"
	}
	return paper.CheckAddressee(gaiji, r.PostalCode, r.Address, r.Name)
}

func sameAddress(a, b ledger.Address) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return norm(a.PostalCode) == norm(b.PostalCode) && norm(a.Address) == norm(b.Address)
}

// Get returns a batch with its held cards and their names, and records
// who saw them.
func (s *Service) Get(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Batch, error) {
	var b Batch
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if b, err = batchIn(ctx, tx, id); err != nil {
			return err
		}
		for i, h := range b.HeldCards {
			rec, err := tx.CardByID(ctx, h.CardID)
			if err != nil {
				return err
			}
			b.HeldCards[i].Name = rec.Resident.Name
		}
		return nil
	})
	if err != nil {
		return Batch{}, err
	}
	held := make([]int64, len(b.HeldCards))
	for i, h := range b.HeldCards {
		held[i] = h.CardID
	}
	return b, s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "notice_batch.viewed", batchTarget(id), map[string]any{"held_card_ids": held})
	})
}

func batchIn(ctx context.Context, tx *store.Tx, id int64) (Batch, error) {
	nb, err := tx.NoticeBatchByID(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Batch{}, apperr.New(apperr.NotFound, "指定された発送分が見つかりません。")
	} else if err != nil {
		return Batch{}, err
	}
	cards, err := tx.NoticeBatchCards(ctx, id)
	b := Batch{NoticeBatch: nb, HeldCards: []HeldCard{}}
	for _, c := range cards {
		if c.HeldReason != "" {
			b.HeldCards = append(b.HeldCards, HeldCard{CardID: c.CardID, Reason: c.HeldReason})
		}
	}
	return b, err
}

// List returns a page of batches, newest first.
func (s *Service) List(ctx context.Context, limit, offset int) ([]store.NoticeBatch, int, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	var out []store.NoticeBatch
	var total int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.NoticeBatches(ctx, limit, max(offset, 0))
		return err
	})
	return out, total, err
}

// Confirmation is what confirming a batch as sent did.
type Confirmation struct {
	Batch   store.NoticeBatch
	Done    int
	Skipped []HeldCard // cards whose mailing could not be recorded any more (cancelled meanwhile...)
}

// Confirm records that the batch went out on date: each printed card
// moves by the same step as on its own page (first notice: notice_sent;
// re-notice; re-send), the batch is marked sent, all in one transaction,
// audited. A batch is confirmed once; a card that meanwhile left the step
// (cancelled, booked at the counter) is skipped with the reason.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, m auth.Meta, id int64, date string) (Confirmation, error) {
	date, err := s.wf.CheckMailDate(date)
	if err != nil {
		return Confirmation{}, err
	}
	var out Confirmation
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		b, err := batchIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.SentDate != "" {
			return apperr.New(apperr.Conflict, fmt.Sprintf("発送分 %d は %s に発送済みとして記録されています。", id, b.SentDate))
		}
		if date < b.CreatedAt.In(s.loc).Format(time.DateOnly) {
			return apperr.WithFields("発送日が発送分を作った日より前になっています。", []apperr.FieldError{{Field: "date", Message: "発送日が発送分を作った日より前になっています。"}})
		}
		cards, err := tx.NoticeBatchCards(ctx, id)
		if err != nil {
			return err
		}
		out = Confirmation{Skipped: []HeldCard{}}
		for _, c := range cards {
			if c.HeldReason != "" {
				continue
			}
			err := s.wf.MailBatchCard(ctx, tx, p, m, b.Kind, c.CardID, date)
			switch {
			case err == nil:
				out.Done++
			case apperr.Fault(err):
				return err
			default: // refused before anything was written for the card
				out.Skipped = append(out.Skipped, HeldCard{CardID: c.CardID, Reason: apperr.MessageOf(err)})
			}
		}
		if err := tx.MarkNoticeBatchSent(ctx, id, date, s.clock.Now(), p.Username); err != nil {
			return err
		}
		if out.Batch, err = tx.NoticeBatchByID(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "notice_batch.sent", batchTarget(id), map[string]any{"date": date,
			"done": out.Done, "skipped": out.Skipped})
	})
	return out, err
}

func isDay(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	_, err1 := strconv.Atoi(v[:4])
	_, err2 := strconv.Atoi(v[5:7])
	_, err3 := strconv.Atoi(v[8:])
	return err1 == nil && err2 == nil && err3 == nil
}
