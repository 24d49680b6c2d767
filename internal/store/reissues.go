package store

import (
	"context"
	"database/sql"
	"errors"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"strings"
	"time"
)

// Reissue is a card reissue (再交付) registered at the counter with the fee
// charged for it, as computed when it was registered.
type Reissue struct {
	ID                int64
	ResidentID        int64
	CardID            int64 // 0 when no card was named
	Reason            string
	ReasonDetail      string
	Chargeable        bool
	FreeReason        string
	FreeDetail        string
	Certificate       bool
	FastTrack         bool
	FeeType           string
	CardAmount        int
	CertificateAmount int
	Amount            int
	ReceiptNumber     string // "" for a free reissue
	ReceivedOn        string // YYYY-MM-DD, the city's date
	CreatedAt         time.Time
	ActorID           int64
	Actor             string
	RequestKey        string
	Voided            bool
	VoidReason        string
	VoidedOn          string
	VoidedAt          time.Time
	VoiderID          int64
	Voider            string

	// Read from the resident and card rows.
	ResidentNumber string
	Name           string
	NameKana       string
	BirthDate      string
	NoticeNumber   string
}

const reissueColumns = `x.id, x.resident_id, COALESCE(x.card_id, 0), x.reason, x.reason_detail, x.chargeable,
	x.free_reason, x.free_detail, x.certificate, x.fast_track, x.fee_type, x.card_amount, x.certificate_amount,
	x.amount, COALESCE(x.receipt_number, ''), x.received_on, x.created_at, COALESCE(x.actor_id, 0), x.actor,
	COALESCE(x.request_key, ''), x.voided, x.void_reason, COALESCE(x.voided_on, ''), COALESCE(x.voided_at, 0),
	COALESCE(x.voider_id, 0), x.voider, COALESCE(r.resident_number, ''), r.name, r.name_kana, r.birth_date,
	COALESCE(c.notice_number, '')`

const reissueFrom = ` FROM reissues x JOIN residents r ON r.id = x.resident_id LEFT JOIN cards c ON c.id = x.card_id`

func (t *Tx) scanReissue(row interface{ Scan(...any) error }) (Reissue, error) {
	var x Reissue
	var created, voided int64
	err := row.Scan(&x.ID, &x.ResidentID, &x.CardID, &x.Reason, &x.ReasonDetail, &x.Chargeable,
		&x.FreeReason, &x.FreeDetail, &x.Certificate, &x.FastTrack, &x.FeeType, &x.CardAmount, &x.CertificateAmount,
		&x.Amount, &x.ReceiptNumber, &x.ReceivedOn, &created, &x.ActorID, &x.Actor,
		&x.RequestKey, &x.Voided, &x.VoidReason, &x.VoidedOn, &voided,
		&x.VoiderID, &x.Voider, &x.ResidentNumber, &x.Name, &x.NameKana, &x.BirthDate,
		&x.NoticeNumber)
	x.CreatedAt, x.VoidedAt = fromMillis(created), fromMillis(voided)
	if err != nil {
		return x, err
	}
	s, c := t.rowSealer(x.ResidentID), t.rowSealer(x.CardID)
	s.open(&x.ResidentNumber, "residents.resident_number")
	s.open(&x.Name, "residents.name")
	s.open(&x.NameKana, "residents.name_kana")
	s.open(&x.BirthDate, "residents.birth_date")
	s.open(&x.ReasonDetail, "reissues.reason_detail")
	s.open(&x.FreeDetail, "reissues.free_detail")
	s.open(&x.VoidReason, "reissues.void_reason")
	c.open(&x.NoticeNumber, "cards.notice_number")
	return x, errors.Join(s.err, c.err)
}

func nullText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// NextReceiptNumber raises the receipt counter of the fiscal year and
// returns the new number (1 for the year's first receipt). The counter row
// stays locked until the transaction ends, so concurrent receipts wait
// for each other, and a rolled-back reissue gives its number back.
func (t *Tx) NextReceiptNumber(ctx context.Context, fiscalYear int) (int, error) {
	var n int
	err := t.queryRow(ctx, `INSERT INTO receipt_counters (fiscal_year, last_number) VALUES ($1, 1)
		ON CONFLICT (fiscal_year) DO UPDATE SET last_number = receipt_counters.last_number + 1
		RETURNING last_number`, fiscalYear).Scan(&n)
	return n, translate(err)
}

// InsertReissue stores a new reissue and sets its ID; a receipt number or
// request key already used is a conflict.
func (t *Tx) InsertReissue(ctx context.Context, x *Reissue) error {
	s := t.rowSealer(x.ResidentID) // staff's words about a lost or damaged card; bound to the resident
	detail, free := s.seal(x.ReasonDetail, "reissues.reason_detail"), s.seal(x.FreeDetail, "reissues.free_detail")
	if s.err != nil {
		return s.err
	}
	err := t.queryRow(ctx, `INSERT INTO reissues (resident_id, card_id, reason, reason_detail, chargeable,
		free_reason, free_detail, certificate, fast_track, fee_type, card_amount, certificate_amount, amount,
		receipt_number, received_on, created_at, actor_id, actor, request_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		x.ResidentID, nullID(x.CardID), x.Reason, detail, x.Chargeable, x.FreeReason, free,
		x.Certificate, x.FastTrack, x.FeeType, x.CardAmount, x.CertificateAmount, x.Amount,
		nullText(x.ReceiptNumber), x.ReceivedOn, millis(x.CreatedAt), nullID(x.ActorID), x.Actor,
		nullText(x.RequestKey)).Scan(&x.ID)
	return translate(err)
}

// VoidReissue marks a reissue voided (取消); it reports false when the
// reissue was voided already, so two voids never both count.
func (t *Tx) VoidReissue(ctx context.Context, x *Reissue) (bool, error) {
	reason, err := t.seal(x.VoidReason, "reissues.void_reason", rowKey(x.ResidentID))
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, `UPDATE reissues SET voided = TRUE, void_reason = $1, voided_on = $2, voided_at = $3,
		voider_id = $4, voider = $5 WHERE id = $6 AND NOT voided`,
		reason, x.VoidedOn, millis(x.VoidedAt), nullID(x.VoiderID), x.Voider, x.ID)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReissueByID returns a reissue, or not_found.
func (t *Tx) ReissueByID(ctx context.Context, id int64) (Reissue, error) {
	x, err := t.scanReissue(t.queryRow(ctx, `SELECT `+reissueColumns+reissueFrom+` WHERE x.id = $1`, id))
	return x, translate(err)
}

// ReissueByRequestKey returns the reissue a form submission created, or
// not_found.
func (t *Tx) ReissueByRequestKey(ctx context.Context, key string) (Reissue, error) {
	x, err := t.scanReissue(t.queryRow(ctx, `SELECT `+reissueColumns+reissueFrom+` WHERE x.request_key = $1`, key))
	return x, translate(err)
}

// ReissueFilter selects reissues. Dates are inclusive; empty fields do
// not filter.
type ReissueFilter struct {
	ResidentID     int64
	ResidentNumber string // 宛名番号
	From, To       string // received_on
	VoidedOn       string // only reissues voided that day
	Reason         string
	FeeType        string
	Voided         *bool
	Limit          int // 0: no limit
}

func (f ReissueFilter) where(keys *fieldcrypt.Keyring) (string, []any, error) {
	var c conds
	if f.ResidentID != 0 {
		c.add("x.resident_id = ?", f.ResidentID)
	}
	if f.ResidentNumber != "" {
		cond, err := c.blindCond(keys, "r.number_hash", blindResident, f.ResidentNumber)
		if err != nil {
			return "", nil, err
		}
		c.parts = append(c.parts, cond)
	}
	c.addIf(f.From, "x.received_on >= ?")
	c.addIf(f.To, "x.received_on <= ?")
	c.addIf(f.VoidedOn, "x.voided_on = ?")
	c.addIf(f.Reason, "x.reason = ?")
	c.addIf(f.FeeType, "x.fee_type = ?")
	if f.Voided != nil {
		c.add("x.voided = ?", *f.Voided)
	}
	if len(c.parts) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(c.parts, " AND "), c.args, nil
}

// Reissues returns the reissues matching f, oldest first.
func (t *Tx) Reissues(ctx context.Context, f ReissueFilter) ([]Reissue, error) {
	where, args, err := f.where(t.keys)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + reissueColumns + reissueFrom + where + ` ORDER BY x.received_on, x.id`
	if f.Limit > 0 {
		q += ` LIMIT ` + itoa(f.Limit)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Reissue{}
	for rows.Next() {
		x, err := t.scanReissue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ReissueResidentByID returns a resident (for a reissue), or not_found.
func (t *Tx) ReissueResidentByID(ctx context.Context, id int64) (Resident, error) {
	r, err := scanResident(t.queryRow(ctx, `SELECT id, `+residentColumns+`, created_at, updated_at
		FROM residents WHERE id = $1`, id))
	if err != nil {
		return r, translate(err)
	}
	return r, t.openResident(&r)
}
