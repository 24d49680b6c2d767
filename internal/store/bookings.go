package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
)

// Booking statuses. A hold becomes booked or expires; a booking ends
// completed (someone was served), no_show (nobody came) or cancelled.
const (
	BookingHeld      = "held"
	BookingExpired   = "expired"
	BookingBooked    = "booked"
	BookingCheckedIn = "checked_in"
	BookingCompleted = "completed"
	BookingNoShow    = "no_show"
	BookingCancelled = "cancelled"
)

// Person statuses within a booking. Only active people count for the
// one-booking-per-card and per-service-and-resident rules.
const (
	PersonActive    = "active"
	PersonIssued    = "issued" // the card was handed over (交付)
	PersonServed    = "served" // a service without a card was done
	PersonNoShow    = "no_show"
	PersonCancelled = "cancelled"
)

// Codes of the errors the booking store reports, declared by booking.
var (
	CodeAlreadyBooked = booking.CodeAlreadyBooked
	CodeSlotFull      = booking.CodeSlotFull
)

// Booking is an appointment (or a hold) with its people and the base
// slots it takes seats in.
type Booking struct {
	ID        int64
	Code      string // 8 characters, stored without the hyphen
	TokenHash string // SHA-256 (hex) of the manage or hold token
	Service   string
	Place     string
	Start     time.Time
	End       time.Time
	Date      string // YYYY-MM-DD of Start in the city's time zone
	Channel   string // web, phone or counter
	Seats     int    // seats taken in each slot
	Status    string
	HoldUntil time.Time // holds only
	HoldIP    string    // holds only: limits live holds per client
	Email     string
	Phone     string
	// Lang is the language the booking was made in ("ja" or "en"): its
	// mails and calendar entry are written in it.
	Lang        string
	CheckedInAt time.Time
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	Version     int
	People      []BookingPerson
	Slots       []time.Time // starts of the base slots taken, in order
}

// BookingPerson is one person of a booking.
type BookingPerson struct {
	ID            int64
	BookingID     int64
	Seq           int
	Service       string
	CardID        int64 // 0 for services without a card
	PersonKey     string
	NoticeNumber  string
	Name          string // services without a card; cards: see Card
	NameKana      string
	BirthDate     string
	Status        string
	DoneAt        time.Time
	DoneBy        string
	Attendance    string
	Comes         string // who the booking said would come (reserve.Attendance); "" when not asked
	Documents     []string
	ItemsReturned []string
	Note          string
	Card          *PersonCard // joined from the ledger when CardID is set
}

// PersonCard is what staff see of a booked card: where it is, whose it is
// and how often its owner did not come.
type PersonCard struct {
	Status          card.Status
	Box             string
	StorageLocation string
	Name            string
	NameKana        string
	BirthDate       string
	NoShows         int
	// What the card search's 注意 column reads besides the above.
	Certificate *bool
	Flags       []string
	Method      card.Method
	FastTrack   bool
	HasGaiji    bool
	// OldCards counts the other cards of the same resident that were
	// handed over (交付済): a new card replaces them, so staff collect them.
	OldCards int
}

const bookingColumns = `b.id, b.code, b.token_hash, b.service, b.place, b.start_at, b.end_at, b.slot_date,
	b.channel, b.seats, b.status, b.hold_until, b.hold_ip, b.email, b.phone, b.checked_in_at,
	b.created_at, b.created_by, b.updated_at, b.version, b.lang`

// InsertBooking stores a new booking or hold (without people) at version 1
// and sets its ID. It reports false, changing nothing, when the code is
// taken, so the caller can draw another one in the same transaction.
func (t *Tx) InsertBooking(ctx context.Context, b *Booking) (bool, error) {
	b.Version, b.UpdatedAt = 1, b.CreatedAt
	email, phone, err := t.sealContact(*b)
	if err != nil {
		return false, err
	}
	err = t.queryRow(ctx, `INSERT INTO bookings (code, token_hash, service, place, start_at, end_at,
		slot_date, channel, seats, status, hold_until, hold_ip, email, phone, checked_in_at,
		created_at, created_by, updated_at, version, lang)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16, 1, $18)
		ON CONFLICT (code) DO NOTHING RETURNING id`,
		b.Code, b.TokenHash, b.Service, b.Place, millis(b.Start), millis(b.End), b.Date, b.Channel,
		b.Seats, b.Status, millisOrNull(b.HoldUntil), b.HoldIP, email, phone, millisOrNull(b.CheckedInAt),
		millis(b.CreatedAt), b.CreatedBy, langOf(b.Lang)).Scan(&b.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err == nil {
		b.asRead()
	}
	return err == nil, translate(err)
}

// asRead sets b's times as a read of the stored row gives them, so that a
// booking just inserted reads the same as one loaded from the database.
func (b *Booking) asRead() {
	for _, t := range []*time.Time{&b.Start, &b.End, &b.HoldUntil, &b.CheckedInAt, &b.CreatedAt, &b.UpdatedAt} {
		*t = fromMillis(millis(*t))
	}
}

// UpdateBooking writes the mutable fields of b if the stored version is
// still b.Version, then advances it. People and slots are written by their
// own methods.
func (t *Tx) UpdateBooking(ctx context.Context, b *Booking, now time.Time) error {
	email, phone, err := t.sealContact(*b)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE bookings SET token_hash = $3, start_at = $4, end_at = $5,
		slot_date = $6, seats = $7, status = $8, hold_until = $9, hold_ip = $10, email = $11,
		phone = $12, checked_in_at = $13, updated_at = $14, version = version + 1, lang = $15
		WHERE id = $1 AND version = $2`,
		b.ID, b.Version, b.TokenHash, millis(b.Start), millis(b.End), b.Date, b.Seats, b.Status,
		millisOrNull(b.HoldUntil), b.HoldIP, email, phone, millisOrNull(b.CheckedInAt), millis(now), langOf(b.Lang))
	if err := affectedOne(res, err); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Conflict, "この予約は他の操作で更新されました。開き直してからもう一度操作してください。")
		}
		return err
	}
	b.Version++
	b.UpdatedAt = fromMillis(millis(now))
	return nil
}

// BookingByID returns the booking with its people and slots, or
// not_found. In a write transaction the booking row is locked.
func (t *Tx) BookingByID(ctx context.Context, id int64) (Booking, error) {
	return t.bookingOne(ctx, `b.id = $1`, id)
}

// BookingByCode returns the booking with the code (no hyphen), or not_found.
func (t *Tx) BookingByCode(ctx context.Context, code string) (Booking, error) {
	return t.bookingOne(ctx, `b.code = $1`, code)
}

// BookingByTokenHash returns the booking or hold whose token hashes to
// hash, or not_found.
func (t *Tx) BookingByTokenHash(ctx context.Context, hash string) (Booking, error) {
	return t.bookingOne(ctx, `b.token_hash = $1`, hash)
}

func (t *Tx) bookingOne(ctx context.Context, cond string, arg any) (Booking, error) {
	b, err := t.scanBooking(t.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings b WHERE `+cond+t.lock(), arg))
	if err != nil {
		return Booking{}, translate(err)
	}
	if b.People, err = t.bookingPeople(ctx, []int64{b.ID}); err != nil {
		return Booking{}, err
	}
	b.Slots, err = t.bookingSlots(ctx, b.ID)
	return b, err
}

// sealContact seals a booking's e-mail address and telephone number,
// bound to the booking's code (unique, and known before the insert).
func (t *Tx) sealContact(b Booking) (email, phone string, err error) {
	s := sealer{t: t, row: b.Code}
	email, phone = s.seal(b.Email, "bookings.email"), s.seal(b.Phone, "bookings.phone")
	return email, phone, s.err
}

func (t *Tx) scanBooking(row interface{ Scan(...any) error }) (Booking, error) {
	var b Booking
	var start, end, created, updated int64
	var holdUntil, checkedIn sql.NullInt64
	err := row.Scan(&b.ID, &b.Code, &b.TokenHash, &b.Service, &b.Place, &start, &end, &b.Date,
		&b.Channel, &b.Seats, &b.Status, &holdUntil, &b.HoldIP, &b.Email, &b.Phone, &checkedIn,
		&created, &b.CreatedBy, &updated, &b.Version, &b.Lang)
	b.Start, b.End, b.CreatedAt, b.UpdatedAt = fromMillis(start), fromMillis(end), fromMillis(created), fromMillis(updated)
	b.HoldUntil, b.CheckedInAt = fromMillis(holdUntil.Int64), fromMillis(checkedIn.Int64)
	if err != nil {
		return b, err
	}
	s := sealer{t: t, row: b.Code}
	s.open(&b.Email, "bookings.email")
	s.open(&b.Phone, "bookings.phone")
	return b, s.err
}

// InsertBookingPerson adds a person to a booking and sets its ID. A second
// active booking for the same card, or for the same resident and service,
// is refused as already_booked by the unique indexes.
func (t *Tx) InsertBookingPerson(ctx context.Context, p *BookingPerson) error {
	docs, items := listJSON(p.Documents), listJSON(p.ItemsReturned)
	id, err := t.nextID(ctx, "booking_people")
	if err != nil {
		return err
	}
	p.ID = id
	s := t.rowSealer(p.ID)
	name, kana, birth := s.seal(p.Name, "booking_people.name"), s.seal(p.NameKana, "booking_people.name_kana"),
		s.seal(p.BirthDate, "booking_people.birth_date")
	notice, note := s.seal(p.NoticeNumber, "booking_people.notice_number"), s.seal(p.Note, "booking_people.note")
	if s.err != nil {
		return s.err
	}
	_, err = t.exec(ctx, `INSERT INTO booking_people (id, booking_id, seq, service, card_id, person_key,
		notice_number, name, name_kana, birth_date, status, done_at, done_by, attendance, documents,
		items_returned, note, comes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		p.ID, p.BookingID, p.Seq, p.Service, idOrNull(p.CardID), p.PersonKey, notice, name, kana,
		birth, p.Status, millisOrNull(p.DoneAt), p.DoneBy, p.Attendance, docs, items, note, p.Comes)
	if isUniqueViolation(err) {
		return apperr.Wrap(CodeAlreadyBooked, "すでに予約があります。予約の確認・変更・取り消しは予約番号から行ってください。", err)
	}
	if err == nil { // as a read gives them back
		p.DoneAt, p.Documents, p.ItemsReturned = fromMillis(millis(p.DoneAt)), nonNilList(p.Documents), nonNilList(p.ItemsReturned)
	}
	return translate(err)
}

func nonNilList(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// BookingPeople returns the people of a booking, by seq, with their cards.
func (t *Tx) BookingPeople(ctx context.Context, id int64) ([]BookingPerson, error) {
	return t.bookingPeople(ctx, []int64{id})
}

// UpdateBookingPerson writes a person's status and what was recorded when
// the person was served.
func (t *Tx) UpdateBookingPerson(ctx context.Context, p BookingPerson) error {
	note, err := t.seal(p.Note, "booking_people.note", rowKey(p.ID))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE booking_people SET status = $2, done_at = $3, done_by = $4,
		attendance = $5, documents = $6, items_returned = $7, note = $8 WHERE id = $1`,
		p.ID, p.Status, millisOrNull(p.DoneAt), p.DoneBy, p.Attendance, listJSON(p.Documents),
		listJSON(p.ItemsReturned), note)
	return affectedOne(res, err)
}

const personColumns = `p.id, p.booking_id, p.seq, p.service, COALESCE(p.card_id, 0), p.person_key,
	p.notice_number, p.name, p.name_kana, p.birth_date, p.status, p.done_at, p.done_by, p.attendance,
	p.documents, p.items_returned, p.note, p.comes,
	c.status, c.box, c.storage_location, COALESCE(r.id, 0), r.name, r.name_kana, r.birth_date,
	c.certificate, COALESCE(c.flags, ''), COALESCE(a.method, ''), COALESCE(a.fast_track, FALSE), COALESCE(r.has_gaiji, FALSE),
	(SELECT COUNT(*) FROM booking_people x WHERE x.card_id = p.card_id AND x.status = 'no_show'),
	(SELECT COUNT(*) FROM cards o JOIN applications oa ON oa.id = o.application_ref
		WHERE oa.resident_id = r.id AND o.id <> c.id AND o.status = 'issued')`

// personFrom joins each person to the card and resident, when there is one.
const personFrom = ` FROM booking_people p LEFT JOIN cards c ON c.id = p.card_id
	LEFT JOIN applications a ON a.id = c.application_ref LEFT JOIN residents r ON r.id = a.resident_id`

// bookingPeople returns the people of the bookings, by booking and seq.
func (t *Tx) bookingPeople(ctx context.Context, ids []int64) ([]BookingPerson, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := bookingIDList(ids, 0)
	rows, err := t.query(ctx, `SELECT `+personColumns+personFrom+` WHERE p.booking_id IN (`+in+`)
		ORDER BY p.booking_id, p.seq`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []BookingPerson
	for rows.Next() {
		p, err := t.scanBookingPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *Tx) scanBookingPerson(row interface{ Scan(...any) error }) (BookingPerson, error) {
	var p BookingPerson
	var done sql.NullInt64
	var docs, items string
	var cardStatus, box, storage, name, kana, birth sql.NullString
	var noShows, oldCards int
	var cert sql.NullBool
	var flags, method string
	var fastTrack, hasGaiji bool
	var residentID int64
	err := row.Scan(&p.ID, &p.BookingID, &p.Seq, &p.Service, &p.CardID, &p.PersonKey, &p.NoticeNumber,
		&p.Name, &p.NameKana, &p.BirthDate, &p.Status, &done, &p.DoneBy, &p.Attendance, &docs, &items,
		&p.Note, &p.Comes, &cardStatus, &box, &storage, &residentID, &name, &kana, &birth, &cert, &flags, &method, &fastTrack, &hasGaiji, &noShows, &oldCards)
	if err != nil {
		return p, err
	}
	p.DoneAt = fromMillis(done.Int64)
	if err := json.Unmarshal([]byte(docs), &p.Documents); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(items), &p.ItemsReturned); err != nil {
		return p, err
	}
	s := t.rowSealer(p.ID)
	s.open(&p.Name, "booking_people.name")
	s.open(&p.NameKana, "booking_people.name_kana")
	s.open(&p.BirthDate, "booking_people.birth_date")
	s.open(&p.NoticeNumber, "booking_people.notice_number")
	s.open(&p.Note, "booking_people.note")
	if p.CardID != 0 {
		p.Card = &PersonCard{Status: card.Status(cardStatus.String), Box: box.String,
			StorageLocation: storage.String, Name: name.String, NameKana: kana.String,
			BirthDate: birth.String, NoShows: noShows, OldCards: oldCards, Flags: splitFlags(flags),
			Method: card.Method(method), FastTrack: fastTrack, HasGaiji: hasGaiji}
		if cert.Valid {
			p.Card.Certificate = &cert.Bool
		}
		r := t.rowSealer(residentID)
		r.open(&p.Card.Name, "residents.name")
		r.open(&p.Card.NameKana, "residents.name_kana")
		r.open(&p.Card.BirthDate, "residents.birth_date")
		s.err = errors.Join(s.err, r.err)
	}
	return p, s.err
}

// jsonList stores a list as a JSON array ("[]" when empty).
func listJSON(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // a []string always marshals
	return string(b)
}

func millisOrNull(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: millis(t), Valid: !t.IsZero()}
}

func idOrNull(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// inList returns "$n+1, $n+2, ..." for the ids and the ids as arguments.
func bookingIDList(ids []int64, n int) (string, []any) {
	args := make([]any, len(ids))
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += "$" + itoa(n+i+1)
		args[i] = id
	}
	return s, args
}

// uniqueViolation tells a unique-constraint failure apart from the other
// conflicts translate reports (busy, serialisation), which must not read
// as "already booked".
// langOf is the stored language of a booking: "en", or else "ja".
func langOf(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "ja"
}
