package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
)

// Resident is a person an application is for, as the city knows them. The
// 12-digit 個人番号 has no field on purpose: it is never stored.
type Resident struct {
	ID             int64
	ResidentNumber string // 宛名番号; "" when unknown
	Name           string // as received: 外字 (PUA) and IVS are kept
	NameKana       string
	BirthDate      string // YYYY-MM-DD
	Sex            string // "male", "female" or ""
	PostalCode     string
	Address        string
	HasGaiji       bool
	// Remarks are staff remarks about the person (市民個人の備考), shown and
	// edited on each of their cards; UpdateResident leaves them alone, only
	// SetResidentRemarks changes them.
	Remarks   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Application is one 申請書 (23-digit ID). The method is fixed when the
// application enters the ledger.
type Application struct {
	ID            int64
	ApplicationID string
	ResidentID    int64
	Method        card.Method
	FastTrack     bool // 特急発行
	CreatedAt     time.Time
}

// Card is one physical card in the ledger. Dates are YYYY-MM-DD or "".
type Card struct {
	ID              int64
	ApplicationRef  int64 // Application.ID
	NoticeNumber    string
	IssueDate       string
	ExpiryDate      string
	Certificate     *bool // nil: unknown
	DeliveryDate    string
	Box             string
	StorageLocation string
	Status          card.Status
	HeldFrom        card.Status // the status an on_hold card left; "" otherwise
	CancelReason    card.CancelReason
	Flags           []string // sorted identifiers, e.g. "gaiji"
	RawRow          []byte   // the imported row as received; loaded by the Card* getters only
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int // incremented by every update
}

// CardRecord is a card with its application and resident, as listed and
// shown to staff.
type CardRecord struct {
	Card
	Application Application
	Resident    Resident
}

const residentColumns = `resident_number, name, name_kana, name_key, kana_key, birth_date, sex,
	postal_code, address, has_gaiji, remarks`

// InsertResident stores a new resident with its search keys and sets its ID.
// Every personal field is sealed; the 宛名番号 and the birth date also get
// keyed hashes for exact lookups.
func (t *Tx) InsertResident(ctx context.Context, r *Resident) error {
	id, err := t.nextID(ctx, "residents")
	if err != nil {
		return err
	}
	r.ID = id
	v, err := t.sealResident(*r)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO residents (id, `+residentColumns+`, number_hash, birth_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
		r.ID, nullString(v.number), v.name, v.kana, v.nameKey, v.kanaKey, v.birth, v.sex,
		v.postal, v.address, r.HasGaiji, v.remarks, v.numberHash, v.birthHash, millis(r.CreatedAt))
	r.UpdatedAt = r.CreatedAt
	return translate(err)
}

// sealedResident holds the sealed personal fields of a resident row and
// the keyed hashes of its 宛名番号 and birth date.
type sealedResident struct {
	number, name, kana, nameKey, kanaKey, birth, sex, postal, address, remarks string
	numberHash, birthHash                                                      sql.NullInt64
	keys                                                                       searchKeys
}

func (t *Tx) sealResident(r Resident) (sealedResident, error) {
	keys := keysOf(r.Name, r.NameKana)
	s := t.rowSealer(r.ID)
	v := sealedResident{
		number: s.seal(r.ResidentNumber, "residents.resident_number"),
		name:   s.seal(r.Name, "residents.name"), kana: s.seal(r.NameKana, "residents.name_kana"),
		nameKey: s.seal(keys.name, "residents.name_key"), kanaKey: s.seal(keys.kana, "residents.kana_key"),
		birth: s.seal(r.BirthDate, "residents.birth_date"), sex: s.seal(sexCode(r.Sex), "residents.sex"),
		postal: s.seal(r.PostalCode, "residents.postal_code"), address: s.seal(r.Address, "residents.address"),
		remarks: s.seal(r.Remarks, "residents.remarks"), keys: keys,
	}
	if s.err != nil {
		return v, s.err
	}
	var err error
	if v.numberHash, err = t.blind(blindResident, r.ResidentNumber); err != nil {
		return v, err
	}
	v.birthHash, err = t.blind(blindBirth, r.BirthDate)
	return v, err
}

// sexCode is what residents.sex seals: one letter, so that the length of
// the sealed value does not tell "male" from "female".
func sexCode(sex string) string {
	switch sex {
	case "male":
		return "m"
	case "female":
		return "f"
	}
	return sex
}

// sexOf reverses sexCode.
func sexOf(code string) string {
	switch code {
	case "m":
		return "male"
	case "f":
		return "female"
	}
	return code
}

// openResident decrypts the sealed fields of a scanned resident in place.
func (t *Tx) openResident(r *Resident) error {
	s := t.rowSealer(r.ID)
	s.open(&r.ResidentNumber, "residents.resident_number")
	s.open(&r.Name, "residents.name")
	s.open(&r.NameKana, "residents.name_kana")
	s.open(&r.BirthDate, "residents.birth_date")
	s.open(&r.Sex, "residents.sex")
	s.open(&r.PostalCode, "residents.postal_code")
	s.open(&r.Address, "residents.address")
	s.open(&r.Remarks, "residents.remarks")
	r.Sex = sexOf(r.Sex)
	return s.err
}

// UpdateResident writes every field of r and renews the search rows of
// the resident's cards.
func (t *Tx) UpdateResident(ctx context.Context, r Resident, now time.Time) error {
	var sealedName, sealedKana string
	err := t.queryRow(ctx, `SELECT name_key, kana_key FROM residents WHERE id = $1`+t.lock(), r.ID).Scan(&sealedName, &sealedKana)
	if err != nil {
		return translate(err)
	}
	old, err := t.openKeys("residents", r.ID, sealedName, sealedKana)
	if err != nil {
		return err
	}
	v, err := t.sealResident(r)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE residents SET resident_number = $2, name = $3, name_kana = $4,
		name_key = $5, kana_key = $6, birth_date = $7, sex = $8, postal_code = $9, address = $10,
		has_gaiji = $11, number_hash = $12, birth_hash = $13, updated_at = $14 WHERE id = $1`,
		r.ID, nullString(v.number), v.name, v.kana, v.nameKey, v.kanaKey, v.birth, v.sex,
		v.postal, v.address, r.HasGaiji, v.numberHash, v.birthHash, millis(now))
	if err != nil || old == v.keys {
		return translate(err)
	}
	return t.rekeyResidentCards(ctx, r.ID, old, v.keys)
}

// ResidentByNumber returns the resident with the 宛名番号, or not_found.
func (t *Tx) ResidentByNumber(ctx context.Context, number string) (Resident, error) {
	var c conds
	cond, err := c.blindCond(t.keys, "number_hash", blindResident, number)
	if err != nil {
		return Resident{}, err
	}
	r, err := scanResident(t.queryRow(ctx, `SELECT id, `+residentColumns+`, created_at, updated_at
		FROM residents WHERE `+cond, c.args...))
	if err != nil {
		return r, translate(err)
	}
	return r, t.openResident(&r)
}

func scanResident(row interface{ Scan(...any) error }) (Resident, error) {
	var r Resident
	var number sql.NullString
	var nameKey, kanaKey string
	var created, updated int64
	err := row.Scan(&r.ID, &number, &r.Name, &r.NameKana, &nameKey, &kanaKey, &r.BirthDate, &r.Sex,
		&r.PostalCode, &r.Address, &r.HasGaiji, &r.Remarks, &created, &updated)
	r.ResidentNumber, r.CreatedAt, r.UpdatedAt = number.String, fromMillis(created), fromMillis(updated)
	return r, err
}

// InsertApplication stores a new application and sets its ID.
func (t *Tx) InsertApplication(ctx context.Context, a *Application) error {
	err := t.queryRow(ctx, `INSERT INTO applications (application_id, resident_id, method, fast_track, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.ApplicationID, a.ResidentID, string(a.Method), a.FastTrack, millis(a.CreatedAt)).Scan(&a.ID)
	return translate(err)
}

// ApplicationByID returns the application with the 23-digit 申請書ID.
func (t *Tx) ApplicationByID(ctx context.Context, applicationID string) (Application, error) {
	var a Application
	var created int64
	err := t.queryRow(ctx, `SELECT id, application_id, resident_id, method, fast_track, created_at
		FROM applications WHERE application_id = $1`, applicationID).
		Scan(&a.ID, &a.ApplicationID, &a.ResidentID, &a.Method, &a.FastTrack, &created)
	a.CreatedAt = fromMillis(created)
	return a, translate(err)
}

// InsertCard stores a new card at version 1 and sets its ID.
func (t *Tx) InsertCard(ctx context.Context, c *Card) error {
	if !c.Status.Valid() {
		return apperr.New(apperr.Invalid, "カードの状態が正しくありません。")
	}
	c.Version, c.UpdatedAt = 1, c.CreatedAt
	id, err := t.nextID(ctx, "cards")
	if err != nil {
		return err
	}
	c.ID = id
	v, err := t.sealCard(*c)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO cards (id, application_ref, notice_number, notice_hash, issue_date, expiry_date,
		certificate, delivery_date, box, storage_location, status, held_from, cancel_reason, flags,
		raw_row, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1)`,
		c.ID, c.ApplicationRef, nullString(v.notice), v.noticeHash, nullString(c.IssueDate), nullString(c.ExpiryDate),
		nullBool(c.Certificate), nullString(c.DeliveryDate), c.Box, c.StorageLocation, string(c.Status),
		nullString(string(c.HeldFrom)), nullString(string(c.CancelReason)), joinFlags(c.Flags),
		v.raw, millis(c.CreatedAt))
	if err != nil {
		return translate(err)
	}
	return t.indexCard(ctx, c.ID, c.ApplicationRef)
}

// UpdateCard writes every mutable field of c if the stored version is still
// c.Version, then advances c.Version. A changed version is a conflict: some
// other change came first and the caller acted on stale data.
func (t *Tx) UpdateCard(ctx context.Context, c *Card, now time.Time) error {
	v, err := t.sealCard(Card{ID: c.ID, NoticeNumber: c.NoticeNumber})
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE cards SET notice_number = $3, notice_hash = $4, issue_date = $5, expiry_date = $6,
		certificate = $7, delivery_date = $8, box = $9, storage_location = $10, status = $11,
		held_from = $12, cancel_reason = $13, flags = $14, updated_at = $15,
		version = version + 1
		WHERE id = $1 AND version = $2`,
		c.ID, c.Version, nullString(v.notice), v.noticeHash, nullString(c.IssueDate), nullString(c.ExpiryDate),
		nullBool(c.Certificate), nullString(c.DeliveryDate), c.Box, c.StorageLocation, string(c.Status),
		nullString(string(c.HeldFrom)), nullString(string(c.CancelReason)), joinFlags(c.Flags),
		millis(now))
	if err := affectedOne(res, err); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Conflict, "このカードは他の操作で更新されました。画面を開き直してからもう一度操作してください。")
		}
		return err
	}
	c.Version++
	c.UpdatedAt = fromMillis(millis(now))
	return nil
}

// sealedCard holds the sealed fields of a card row.
type sealedCard struct {
	notice     string
	noticeHash sql.NullInt64
	raw        []byte
}

// sealCard seals the notice number (a lookup key: it gets a keyed hash),
// and the imported row of a card.
func (t *Tx) sealCard(c Card) (sealedCard, error) {
	s := t.rowSealer(c.ID)
	v := sealedCard{notice: s.seal(c.NoticeNumber, "cards.notice_number")}
	if s.err != nil {
		return v, s.err
	}
	var err error
	if v.raw, err = t.sealBytes(c.RawRow, "cards.raw_row", rowKey(c.ID)); err != nil { // the imported line holds the name and address
		return v, err
	}
	v.noticeHash, err = t.blind(blindNotice, c.NoticeNumber)
	return v, err
}

// openCard decrypts the sealed fields of a scanned card in place.
func (t *Tx) openCard(c *Card) error {
	s := t.rowSealer(c.ID)
	s.open(&c.NoticeNumber, "cards.notice_number")
	return s.err
}

// affectedOne turns "no row changed" into not_found.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "見つかりません。")
	}
	return nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullBool(b *bool) sql.NullBool {
	if b == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *b, Valid: true}
}

// joinFlags stores flags sorted and comma-separated, so a flag filter is
// a LIKE on ",flag,".
func joinFlags(flags []string) string {
	s := slices.Clone(flags)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

func splitFlags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// InsertCardRecord stores a card with its application and resident in one
// call (imports, demo data). A resident or application whose ID is set is
// reused as it is; the others are inserted and get their IDs. Times left
// zero are the card's CreatedAt.
func (t *Tx) InsertCardRecord(ctx context.Context, rec *CardRecord) error {
	if rec.Resident.ID == 0 {
		rec.Resident.CreatedAt = cmpOr(rec.Resident.CreatedAt, rec.CreatedAt)
		if err := t.InsertResident(ctx, &rec.Resident); err != nil {
			return err
		}
	}
	if rec.Application.ID == 0 {
		rec.Application.ResidentID = rec.Resident.ID
		rec.Application.CreatedAt = cmpOr(rec.Application.CreatedAt, rec.CreatedAt)
		if err := t.InsertApplication(ctx, &rec.Application); err != nil {
			return err
		}
	}
	rec.ApplicationRef = rec.Application.ID
	return t.InsertCard(ctx, &rec.Card)
}

func cmpOr(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}
