package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
)

// WorkflowFilter selects the cards the uncollected-card rules look at.
// Empty fields do not filter.
type WorkflowFilter struct {
	Statuses []card.Status
	Method   card.Method
	CardIDs  []int64
}

// Mark is the date of a posting, when it was recorded and, for a mailing,
// where it went.
type Mark struct {
	Date       string
	CreatedAt  time.Time
	PostalCode string
	Address    string
}

// WorkflowCard is a card with what the rules on uncollected cards read: its
// postings summed up, the times of the status events that stand for a
// mailing or a return (cards moved from the card page or imported have no
// postings), and any hold or disposal record.
type WorkflowCard struct {
	CardRecord
	FirstNotice      string  // earliest notice posting
	LastNotice       Mark    // newest notice or resend posting
	LastRenotice     Mark    // newest re-notice posting
	LastReturn       Posting // newest return posting; ID 0 when none
	Returns          int     // number of return postings
	FirstNoticeEvent time.Time
	LastNoticeEvent  time.Time // newest move into notice_sent or mailed that was a mailing
	LastReturnEvent  time.Time // newest move into notice_returned or mail_returned
	Hold             *DisposalHold
	Disposal         *Disposal
}

// Status events that stand for a mailing: the first one from setup_done, a
// re-send from a returned status, or an import (no from status). A card
// back from a booking or a hold was not mailed again.
const (
	mailingEvent = `e.card_id = c.id AND e.to_status IN ('notice_sent', 'mailed')
		AND (e.from_status IS NULL OR e.from_status IN ('setup_done', 'notice_returned', 'mail_returned'))`
	returnEvent = `e.card_id = c.id AND e.to_status IN ('notice_returned', 'mail_returned')
		AND (e.from_status IS NULL OR e.from_status IN ('notice_sent', 'mailed'))`
	latestPosting = `(SELECT MAX(p.id) FROM card_postings p WHERE p.card_id = c.id AND p.kind `
)

const workflowColumns = `,
	(SELECT MIN(p.posted_date) FROM card_postings p WHERE p.card_id = c.id AND p.kind = 'notice'),
	ln.posted_date, ln.created_at, ln.postal_code, ln.address, lr.posted_date, lr.created_at,
	rt.id, rt.posted_date, rt.reason, rt.note, rt.created_at, COALESCE(rt.actor_id, 0), rt.actor,
	(SELECT COUNT(*) FROM card_postings p WHERE p.card_id = c.id AND p.kind = 'return'),
	(SELECT MIN(e.at) FROM card_events e WHERE ` + mailingEvent + `),
	(SELECT MAX(e.at) FROM card_events e WHERE ` + mailingEvent + `),
	(SELECT MAX(e.at) FROM card_events e WHERE ` + returnEvent + `),
	h.reason, h.until_date, COALESCE(h.actor_id, 0), h.actor, h.created_at,
	d.card_id, d.rule, d.proposed_at, COALESCE(d.proposer_id, 0), d.proposer, d.proposal_note,
	d.method, d.disposed_date, d.confirmed_at, COALESCE(d.confirmer_id, 0), d.confirmer, d.note`

const workflowJoins = `
	LEFT JOIN card_postings ln ON ln.id = ` + latestPosting + `IN ('notice', 'resend'))
	LEFT JOIN card_postings lr ON lr.id = ` + latestPosting + `= 'renotice')
	LEFT JOIN card_postings rt ON rt.id = ` + latestPosting + `= 'return')
	LEFT JOIN disposal_holds h ON h.card_id = c.id
	LEFT JOIN disposals d ON d.card_id = c.id`

// EachWorkflowCard streams the cards matching f, by card ID. The rules are
// evaluated by the caller: they depend on settings and on today's date.
func (t *Tx) EachWorkflowCard(ctx context.Context, f WorkflowFilter, fn func(WorkflowCard) error) error {
	where, args := f.where()
	rows, err := t.query(ctx, `SELECT `+recordColumns+workflowColumns+cardFrom+workflowJoins+where+` ORDER BY c.id`, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		wc, err := t.scanWorkflowCard(rows)
		if err != nil {
			return err
		}
		if err := fn(wc); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WorkflowCardByID returns one card with its workflow data, or not_found.
func (t *Tx) WorkflowCardByID(ctx context.Context, id int64) (WorkflowCard, error) {
	var out WorkflowCard
	found := false
	err := t.EachWorkflowCard(ctx, WorkflowFilter{CardIDs: []int64{id}}, func(wc WorkflowCard) error {
		out, found = wc, true
		return nil
	})
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return out, translate(err)
}

func (f WorkflowFilter) where() (string, []any) {
	var c conds
	c.statuses(f.Statuses)
	c.addIf(string(f.Method), "a.method = ?")
	if len(f.CardIDs) > 0 {
		marks := make([]string, len(f.CardIDs))
		for i, id := range f.CardIDs {
			marks[i] = c.bind("?", id)
		}
		c.parts = append(c.parts, "c.id IN ("+strings.Join(marks, ", ")+")")
	}
	if len(c.parts) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(c.parts, " AND "), c.args
}

// workflowScan holds the nullable columns of a workflow row.
type workflowScan struct {
	firstNotice, lastNotice, lnPostal, lnAddress, lastRenotice, retDate, retReason, retNote, retActor sql.NullString
	lastNoticeAt, lastRenoticeAt, retID, retAt, firstEv, lastEv, retEv                                sql.NullInt64
	retActorID                                                                                        int64
	holdReason, holdUntil, holdActor                                                                  sql.NullString
	holdActorID                                                                                       int64
	holdAt                                                                                            sql.NullInt64
	dCard, dProposed, dConfirmed                                                                      sql.NullInt64
	dRule, dProposer, dPropNote, dMethod, dDate, dConfirmer, dNote                                    sql.NullString
	dProposerID, dConfirmerID                                                                         int64
}

func (s *workflowScan) targets(wc *WorkflowCard) []any {
	return []any{&s.firstNotice, &s.lastNotice, &s.lastNoticeAt, &s.lnPostal, &s.lnAddress, &s.lastRenotice, &s.lastRenoticeAt,
		&s.retID, &s.retDate, &s.retReason, &s.retNote, &s.retAt, &s.retActorID, &s.retActor,
		&wc.Returns, &s.firstEv, &s.lastEv, &s.retEv,
		&s.holdReason, &s.holdUntil, &s.holdActorID, &s.holdActor, &s.holdAt,
		&s.dCard, &s.dRule, &s.dProposed, &s.dProposerID, &s.dProposer, &s.dPropNote,
		&s.dMethod, &s.dDate, &s.dConfirmed, &s.dConfirmerID, &s.dConfirmer, &s.dNote}
}

func (t *Tx) scanWorkflowCard(row interface{ Scan(...any) error }) (WorkflowCard, error) {
	var wc WorkflowCard
	var s workflowScan
	rec, err := t.scanRecord(row, s.targets(&wc)...)
	if err != nil {
		return wc, err
	}
	wc.CardRecord = rec
	s.finish(&wc)
	o := t.rowSealer(wc.ID)
	o.open(&wc.LastNotice.PostalCode, "card_postings.postal_code")
	o.open(&wc.LastNotice.Address, "card_postings.address")
	o.open(&wc.LastReturn.Note, "card_postings.note")
	if wc.Hold != nil {
		o.open(&wc.Hold.Reason, "disposal_holds.reason")
	}
	if o.err == nil && wc.Disposal != nil {
		o.err = t.openDisposal(wc.Disposal)
	}
	return wc, o.err
}

func (s *workflowScan) finish(wc *WorkflowCard) {
	wc.FirstNotice = s.firstNotice.String
	wc.LastNotice = Mark{Date: s.lastNotice.String, CreatedAt: fromMillis(s.lastNoticeAt.Int64),
		PostalCode: s.lnPostal.String, Address: s.lnAddress.String}
	wc.LastRenotice = Mark{Date: s.lastRenotice.String, CreatedAt: fromMillis(s.lastRenoticeAt.Int64)}
	if s.retID.Valid {
		wc.LastReturn = Posting{ID: s.retID.Int64, CardID: wc.ID, Kind: PostingReturn, Date: s.retDate.String,
			Reason: s.retReason.String, Note: s.retNote.String, ActorID: s.retActorID, Actor: s.retActor.String,
			CreatedAt: fromMillis(s.retAt.Int64)}
	}
	wc.FirstNoticeEvent, wc.LastNoticeEvent = fromMillis(s.firstEv.Int64), fromMillis(s.lastEv.Int64)
	wc.LastReturnEvent = fromMillis(s.retEv.Int64)
	if s.holdUntil.Valid {
		wc.Hold = &DisposalHold{CardID: wc.ID, Reason: s.holdReason.String, Until: s.holdUntil.String,
			ActorID: s.holdActorID, Actor: s.holdActor.String, CreatedAt: fromMillis(s.holdAt.Int64)}
	}
	if s.dCard.Valid {
		wc.Disposal = &Disposal{CardID: wc.ID, Rule: s.dRule.String, ProposedAt: fromMillis(s.dProposed.Int64),
			ProposerID: s.dProposerID, Proposer: s.dProposer.String, ProposalNote: s.dPropNote.String,
			Method: s.dMethod.String, DisposedDate: s.dDate.String, ConfirmedAt: fromMillis(s.dConfirmed.Int64),
			ConfirmerID: s.dConfirmerID, Confirmer: s.dConfirmer.String, Note: s.dNote.String}
	}
}
