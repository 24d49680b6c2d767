package store

import (
	"context"
	"database/sql"

	"github.com/kofu-oss/kofu/internal/card"
)

// cardFrom joins a card to its application and resident.
const cardFrom = ` FROM cards c JOIN applications a ON a.id = c.application_ref
	JOIN residents r ON r.id = a.resident_id`

// recordColumns is what a list shows; raw_row is left out of lists because
// it is large and only the card page needs it.
const recordColumns = `c.id, c.application_ref, c.notice_number, c.issue_date, c.expiry_date,
	c.certificate, c.delivery_date, c.box, c.storage_location, c.status, c.held_from,
	c.cancel_reason, c.flags, r.remarks, c.created_at, c.updated_at, c.version,
	a.application_id, a.resident_id, a.method, a.fast_track, a.created_at,
	r.resident_number, r.name, r.name_kana, r.birth_date, r.sex, r.postal_code, r.address,
	r.has_gaiji, r.created_at, r.updated_at`

// recordScan holds the nullable and millisecond columns of a record row
// until they are converted.
type recordScan struct {
	notice, issue, expiry, delivery, heldFrom, cancel, number sql.NullString
	cert                                                      sql.NullBool
	flags                                                     string
	created, updated, appCreated, resCreated, resUpdated      int64
}

func (s *recordScan) targets(rec *CardRecord) []any {
	c, a, r := &rec.Card, &rec.Application, &rec.Resident
	return []any{&c.ID, &c.ApplicationRef, &s.notice, &s.issue, &s.expiry,
		&s.cert, &s.delivery, &c.Box, &c.StorageLocation, &c.Status, &s.heldFrom,
		&s.cancel, &s.flags, &r.Remarks, &s.created, &s.updated, &c.Version,
		&a.ApplicationID, &a.ResidentID, &a.Method, &a.FastTrack, &s.appCreated,
		&s.number, &r.Name, &r.NameKana, &r.BirthDate, &r.Sex, &r.PostalCode, &r.Address,
		&r.HasGaiji, &s.resCreated, &s.resUpdated}
}

func (s *recordScan) finish(rec *CardRecord) {
	c := &rec.Card
	c.NoticeNumber, c.IssueDate, c.ExpiryDate = s.notice.String, s.issue.String, s.expiry.String
	c.DeliveryDate, c.HeldFrom = s.delivery.String, card.Status(s.heldFrom.String)
	c.CancelReason, c.Flags = card.CancelReason(s.cancel.String), splitFlags(s.flags)
	if s.cert.Valid {
		c.Certificate = &s.cert.Bool
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(s.created), fromMillis(s.updated)
	rec.Application.ID, rec.Application.CreatedAt = c.ApplicationRef, fromMillis(s.appCreated)
	rec.Resident.ID, rec.Resident.ResidentNumber = rec.Application.ResidentID, s.number.String
	rec.Resident.CreatedAt, rec.Resident.UpdatedAt = fromMillis(s.resCreated), fromMillis(s.resUpdated)
}

func (t *Tx) scanRecord(row interface{ Scan(...any) error }, extra ...any) (CardRecord, error) {
	var rec CardRecord
	var s recordScan
	if err := row.Scan(append(s.targets(&rec), extra...)...); err != nil {
		return rec, err
	}
	s.finish(&rec)
	if err := t.openCard(&rec.Card); err != nil {
		return rec, err
	}
	return rec, t.openResident(&rec.Resident)
}

// cardOne returns the one record matching cond, with its raw row. In a
// write transaction the card row is locked on PostgreSQL.
func (t *Tx) cardOne(ctx context.Context, cond string, arg any) (CardRecord, error) {
	return t.cardOneArgs(ctx, cond, arg)
}

func (t *Tx) cardOneArgs(ctx context.Context, cond string, args ...any) (CardRecord, error) {
	var raw []byte
	row := t.queryRow(ctx, `SELECT `+recordColumns+`, c.raw_row`+cardFrom+` WHERE `+cond+t.lockCard(), args...)
	rec, err := t.scanRecord(row, &raw)
	if err != nil {
		return rec, translate(err)
	}
	rec.RawRow, err = t.openBytes(raw, "cards.raw_row", rowKey(rec.ID))
	return rec, err
}

// lockCard locks only the card row of a joined select: the resident and
// application rows are not changed by card updates.
func (t *Tx) lockCard() string {
	if l := t.lock(); l != "" {
		return l + " OF c"
	}
	return ""
}

// CardByID returns the card with its application and resident, or not_found.
func (t *Tx) CardByID(ctx context.Context, id int64) (CardRecord, error) {
	return t.cardOne(ctx, `c.id = $1`, id)
}

// CardByNoticeNumber returns the card with the 交付通知書番号, or not_found.
// The number is sealed: the card is found by its keyed hash.
func (t *Tx) CardByNoticeNumber(ctx context.Context, notice string) (CardRecord, error) {
	var c conds
	cond, err := c.blindCond(t.keys, "c.notice_hash", blindNotice, notice)
	if err != nil {
		return CardRecord{}, err
	}
	return t.cardOneArgs(ctx, cond, c.args...)
}

// CardByApplicationID returns the newest card of the application (a
// replacement for a defective card is newer), or not_found.
func (t *Tx) CardByApplicationID(ctx context.Context, applicationID string) (CardRecord, error) {
	return t.cardOne(ctx, `c.id = (SELECT MAX(c2.id) FROM cards c2 JOIN applications a2
		ON a2.id = c2.application_ref WHERE a2.application_id = $1)`, applicationID)
}
