package store

import (
	"context"
	"strings"
	"time"
)

// AppVisit is the application visit of 申請時来庁方式: the resident came
// when applying, identity was checked and the PIN form handed in.
type AppVisit struct {
	ApplicationID    string // 申請書ID (23 digits)
	Date             string // YYYY-MM-DD
	IdentityChecked  bool
	IdentityDocument string   // what was seen (運転免許証...)
	PINFormReceived  bool     // 暗証番号設定依頼書
	ItemsReturned    []string // handed back at the visit (notification_card, juki_card)
	Note             string
	ActorID          int64
	Actor            string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// PutAppVisit records or corrects the visit of an application.
func (t *Tx) PutAppVisit(ctx context.Context, v AppVisit) error {
	note, err := t.seal(v.Note, "app_visits.note", v.ApplicationID) // staff's note on the visit; bound to the application
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO app_visits (application_id, visit_date, identity_checked, identity_document,
		pin_form_received, items_returned, note, actor_id, actor, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		ON CONFLICT (application_id) DO UPDATE SET visit_date = excluded.visit_date,
		identity_checked = excluded.identity_checked, identity_document = excluded.identity_document,
		pin_form_received = excluded.pin_form_received, items_returned = excluded.items_returned,
		note = excluded.note, actor_id = excluded.actor_id, actor = excluded.actor, updated_at = excluded.updated_at`,
		v.ApplicationID, v.Date, v.IdentityChecked, v.IdentityDocument, v.PINFormReceived,
		strings.Join(v.ItemsReturned, ","), note, actorRef(v.ActorID), v.Actor, millis(v.CreatedAt))
	return translate(err)
}

// AppVisitOf returns the visit of an application, or not_found.
func (t *Tx) AppVisitOf(ctx context.Context, applicationID string) (AppVisit, error) {
	v := AppVisit{ApplicationID: applicationID}
	var items string
	var created, updated int64
	err := t.queryRow(ctx, `SELECT visit_date, identity_checked, identity_document, pin_form_received,
		items_returned, note, COALESCE(actor_id, 0), actor, created_at, updated_at
		FROM app_visits WHERE application_id = $1`, applicationID).Scan(&v.Date, &v.IdentityChecked,
		&v.IdentityDocument, &v.PINFormReceived, &items, &v.Note, &v.ActorID, &v.Actor, &created, &updated)
	if items != "" {
		v.ItemsReturned = strings.Split(items, ",")
	}
	v.CreatedAt, v.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err != nil {
		return v, translate(err)
	}
	v.Note, err = t.open(v.Note, "app_visits.note", applicationID)
	return v, err
}

// Outcomes of a registered mailing.
const (
	MailingOpen      = ""          // on its way
	MailingDelivered = "delivered" // handed to the resident
	MailingReturned  = "returned"  // brought back by the post office
)

// Mailing is one registered mailing of a card.
type Mailing struct {
	ID             int64
	CardID         int64
	Date           string // YYYY-MM-DD: the day it was posted
	TrackingNumber string
	Outcome        string
	OutcomeDate    string // YYYY-MM-DD; "" while open
	ReturnReason   string // returns: the reason code
	Note           string
	ActorID        int64
	Actor          string
	CreatedAt      time.Time
}

// InsertMailing records a mailing; a tracking number used before is a
// conflict.
func (t *Tx) InsertMailing(ctx context.Context, m *Mailing) error {
	id, err := t.nextID(ctx, "card_mailings")
	if err != nil {
		return err
	}
	note, err := t.seal(m.Note, "card_mailings.note", rowKey(id))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO card_mailings (id, card_id, mailed_date, tracking_number, note, actor_id,
		actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, m.CardID, m.Date, m.TrackingNumber, note, actorRef(m.ActorID), m.Actor, millis(m.CreatedAt))
	if err == nil {
		m.ID = id
	}
	return translate(err)
}

// CloseMailing records how an open mailing ended, with its note as it
// should read now; not_found when the mailing is not open.
func (t *Tx) CloseMailing(ctx context.Context, id int64, outcome, date, reason, note string) error {
	sealed, err := t.seal(note, "card_mailings.note", rowKey(id))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE card_mailings SET outcome = $2, outcome_date = $3, return_reason = $4,
		note = $5 WHERE id = $1 AND outcome = ''`, id, outcome, date, reason, sealed)
	return affectedOne(res, err)
}

// CardMailings returns a card's mailings, oldest first.
func (t *Tx) CardMailings(ctx context.Context, cardID int64) ([]Mailing, error) {
	rows, err := t.query(ctx, `SELECT id, card_id, mailed_date, tracking_number, outcome, outcome_date,
		return_reason, note, COALESCE(actor_id, 0), actor, created_at FROM card_mailings
		WHERE card_id = $1 ORDER BY id`, cardID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Mailing{}
	for rows.Next() {
		var m Mailing
		var created int64
		if err := rows.Scan(&m.ID, &m.CardID, &m.Date, &m.TrackingNumber, &m.Outcome, &m.OutcomeDate,
			&m.ReturnReason, &m.Note, &m.ActorID, &m.Actor, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMillis(created)
		if m.Note, err = t.open(m.Note, "card_mailings.note", rowKey(m.ID)); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
