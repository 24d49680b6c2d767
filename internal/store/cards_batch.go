package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// BulkCard is one new card of InsertCardRecords, with the first entry of
// its history.
type BulkCard struct {
	CardRecord
	Event CardEvent // CardID is set by the insert
	// ResidentFrom, when > 0, is the 1-based position in the same call of
	// an earlier card whose new resident this card shares: a file that
	// lists one person (one 宛名番号) twice.
	ResidentFrom int
	// Later are further history entries, written after Event (CardID is
	// set by the insert), and Postings the card's mailings: what an
	// import knows happened to the card before it reached the ledger.
	Later    []CardEvent
	Postings []Posting
}

// InsertCardRecords stores new cards with their applications, residents,
// search rows and first history entries in a few statements per table:
// what InsertCardRecord and InsertCardEvent do card by card. A resident
// whose ID is set is reused, as are the keys it has in the ledger; the
// others are inserted. IDs are set as InsertCardRecord sets them.
func (t *Tx) InsertCardRecords(ctx context.Context, cards []BulkCard) error {
	if len(cards) == 0 {
		return nil
	}
	var fresh []int // cards that bring a new resident
	for i := range cards {
		c := &cards[i]
		if !c.Status.Valid() {
			return apperr.New(apperr.Invalid, "カードの状態が正しくありません。")
		}
		switch f := c.ResidentFrom; {
		case f > i || f < 0 || (f > 0 && (cards[f-1].ResidentFrom != 0 || cards[f-1].Resident.ID != 0)):
			return fmt.Errorf("InsertCardRecords: card %d shares the resident of card %d, which brings none", i+1, f)
		case f == 0 && c.Resident.ID == 0:
			fresh = append(fresh, i)
		}
	}
	if err := t.assignIDs(ctx, cards, fresh); err != nil {
		return err
	}
	keys, err := t.residentsOf(ctx, cards, fresh)
	if err != nil {
		return err
	}
	if err := t.insertBulk(ctx, residentsTable, keys.rows); err != nil {
		return err
	}
	if err := t.insertApplications(ctx, cards); err != nil {
		return err
	}
	if err := t.insertCards(ctx, cards); err != nil {
		return err
	}
	if err := t.indexCards(ctx, cards, keys.byResident); err != nil {
		return err
	}
	if err := t.insertEvents(ctx, cards); err != nil {
		return err
	}
	return t.insertPostings(ctx, cards)
}

// assignIDs draws the IDs of the new residents, applications and cards:
// from the identity sequences on PostgreSQL, after the largest on SQLite,
// whose single writer holds the database for the whole transaction.
func (t *Tx) assignIDs(ctx context.Context, cards []BulkCard, fresh []int) error {
	res, apps, crd, err := t.reserveIDs(ctx, len(fresh), len(cards))
	if err != nil {
		return err
	}
	for k, i := range fresh {
		cards[i].Resident.ID = res[k]
	}
	for i := range cards {
		c := &cards[i]
		if c.ResidentFrom > 0 {
			c.Resident.ID = cards[c.ResidentFrom-1].Resident.ID
		}
		c.Resident.CreatedAt = cmpOr(c.Resident.CreatedAt, c.CreatedAt)
		c.Resident.UpdatedAt = c.Resident.CreatedAt
		c.Application.ID, c.Application.ResidentID = apps[i], c.Resident.ID
		c.Application.CreatedAt = cmpOr(c.Application.CreatedAt, c.CreatedAt)
		c.ID, c.ApplicationRef, c.Version, c.UpdatedAt = crd[i], apps[i], 1, c.CreatedAt
		c.Event.CardID = c.ID
		for j := range c.Later {
			c.Later[j].CardID = c.ID
		}
		for j := range c.Postings {
			c.Postings[j].CardID = c.ID
		}
	}
	return nil
}

func (t *Tx) reserveIDs(ctx context.Context, residents, cards int) (res, apps, crd []int64, err error) {
	if t.d.positional {
		var r, a, c int64
		err = t.queryRow(ctx, `SELECT COALESCE((SELECT MAX(id) FROM residents), 0),
			COALESCE((SELECT MAX(id) FROM applications), 0), COALESCE((SELECT MAX(id) FROM cards), 0)`).Scan(&r, &a, &c)
		if err != nil {
			return nil, nil, nil, translate(err)
		}
		return idRange(r, residents), idRange(a, cards), idRange(c, cards), nil
	}
	rows, err := t.query(ctx, `WITH s AS (SELECT pg_get_serial_sequence('residents', 'id')::regclass AS r,
		pg_get_serial_sequence('applications', 'id')::regclass AS a, pg_get_serial_sequence('cards', 'id')::regclass AS c)
		SELECT CASE WHEN g <= $1 THEN nextval(s.r) ELSE 0 END, nextval(s.a), nextval(s.c)
		FROM s, generate_series(1, $2) g ORDER BY g`, residents, cards)
	if err != nil {
		return nil, nil, nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r, a, c int64
		if err := rows.Scan(&r, &a, &c); err != nil {
			return nil, nil, nil, err
		}
		if r != 0 {
			res = append(res, r)
		}
		apps, crd = append(apps, a), append(crd, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	if len(res) != residents || len(crd) != cards {
		return nil, nil, nil, fmt.Errorf("reserveIDs: %d of %d residents, %d of %d cards", len(res), residents, len(crd), cards)
	}
	return res, apps, crd, nil
}

// nextID draws the ID of a new row of table (as reserveIDs does), so that
// its sealed values can be bound to it before it is written.
func (t *Tx) nextID(ctx context.Context, table string) (int64, error) {
	var id int64
	q := `SELECT COALESCE(MAX(id), 0) + 1 FROM ` + table
	if !t.d.positional {
		q = `SELECT nextval(pg_get_serial_sequence('` + table + `', 'id'))`
	}
	err := t.queryRow(ctx, q).Scan(&id)
	return id, translate(err)
}

// idRange returns the n IDs after last.
func idRange(last int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = last + 1 + int64(i)
	}
	return out
}

// residentKeys are the search keys of a resident, which card_names
// copies (sealed for each card), and their tokens.
type residentKeys struct {
	keys   searchKeys
	tokens []int64
}

// batchResidents holds the rows of the new residents of a batch and the
// keys of every resident its cards belong to.
type batchResidents struct {
	rows       anyRows
	byResident map[int64]residentKeys
}

var residentsTable = bulkTable{name: "residents",
	cols: []string{"id", "resident_number", "name", "name_kana", "name_key", "kana_key", "birth_date", "sex",
		"postal_code", "address", "has_gaiji", "remarks", "number_hash", "birth_hash", "created_at", "updated_at"},
	types: []string{"bigint", "text", "text", "text", "text", "text", "text", "text", "text", "text", "boolean",
		"text", "bigint", "bigint", "bigint", "bigint"}}

// residentsOf seals the new residents and reads the keys of the known ones.
func (t *Tx) residentsOf(ctx context.Context, cards []BulkCard, fresh []int) (batchResidents, error) {
	out := batchResidents{rows: make(anyRows, 0, len(fresh)), byResident: make(map[int64]residentKeys, len(cards))}
	for _, i := range fresh {
		r := cards[i].Resident
		v, err := t.sealResident(r)
		if err != nil {
			return out, err
		}
		toks, err := t.tokens(v.keys)
		if err != nil {
			return out, err
		}
		out.byResident[r.ID] = residentKeys{keys: v.keys, tokens: toks}
		out.rows = append(out.rows, []any{r.ID, nullString(v.number), v.name, v.kana, v.nameKey, v.kanaKey,
			v.birth, v.sex, v.postal, v.address, r.HasGaiji, v.remarks, v.numberHash, v.birthHash, millis(r.CreatedAt), millis(r.CreatedAt)})
	}
	var known []string
	for _, c := range cards {
		if _, ok := out.byResident[c.Resident.ID]; !ok {
			known = append(known, itoa64(c.Resident.ID))
			out.byResident[c.Resident.ID] = residentKeys{} // asked once
		}
	}
	return out, eachPiece(known, func(ids []string) error { return t.knownKeys(ctx, ids, out.byResident) })
}

// knownKeys reads the keys of residents already in the ledger.
func (t *Tx) knownKeys(ctx context.Context, ids []string, into map[int64]residentKeys) error {
	// IDs come from the database as numbers: safe to inline, as pageOf does.
	rows, err := t.query(ctx, `SELECT id, name_key, kana_key FROM residents WHERE id IN (`+joinComma(ids)+`)`)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var name, kana string
		if err := rows.Scan(&id, &name, &kana); err != nil {
			return err
		}
		var k residentKeys
		var err error
		if k.keys, err = t.openKeys("residents", id, name, kana); err != nil {
			return err
		}
		if k.tokens, err = t.tokens(k.keys); err != nil {
			return err
		}
		into[id] = k
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != len(ids) {
		return apperr.New(apperr.NotFound, "住民の記録が見つかりません。")
	}
	return nil
}

func joinComma(ss []string) string {
	n := 0
	for _, s := range ss {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	return string(b)
}

var applicationsTable = bulkTable{name: "applications",
	cols:  []string{"id", "application_id", "resident_id", "method", "fast_track", "created_at"},
	types: []string{"bigint", "text", "bigint", "text", "boolean", "bigint"}}

func (t *Tx) insertApplications(ctx context.Context, cards []BulkCard) error {
	rows := make([][]any, len(cards))
	for i, c := range cards {
		a := c.Application
		rows[i] = []any{a.ID, a.ApplicationID, a.ResidentID, string(a.Method), a.FastTrack, millis(a.CreatedAt)}
	}
	return t.insertBulk(ctx, applicationsTable, anyRows(rows))
}

var cardsTable = bulkTable{name: "cards",
	cols: []string{"id", "application_ref", "notice_number", "notice_hash", "issue_date", "expiry_date", "certificate",
		"delivery_date", "box", "storage_location", "status", "held_from", "cancel_reason", "flags", "raw_row",
		"created_at", "updated_at", "version"},
	types: []string{"bigint", "bigint", "text", "bigint", "text", "text", "boolean", "text", "text", "text", "text", "text",
		"text", "text", "bytea", "bigint", "bigint", "bigint"}}

func (t *Tx) insertCards(ctx context.Context, cards []BulkCard) error {
	rows := make([][]any, len(cards))
	for i, bc := range cards {
		c := bc.Card
		v, err := t.sealCard(c)
		if err != nil {
			return err
		}
		rows[i] = []any{c.ID, c.ApplicationRef, nullString(v.notice), v.noticeHash, nullString(c.IssueDate), nullString(c.ExpiryDate),
			nullBool(c.Certificate), nullString(c.DeliveryDate), c.Box, c.StorageLocation, string(c.Status),
			nullString(string(c.HeldFrom)), nullString(string(c.CancelReason)), joinFlags(c.Flags), v.raw,
			millis(c.CreatedAt), millis(c.CreatedAt), int64(1)}
	}
	return t.insertBulk(ctx, cardsTable, anyRows(rows))
}

var cardNamesTable = bulkTable{name: "card_names", cols: []string{"card_id", "name_key", "kana_key"},
	types: []string{"bigint", "text", "text"}}

// indexCards writes the cards' copies of their residents' keys and their
// search rows (deferred when the transaction defers them).
func (t *Tx) indexCards(ctx context.Context, cards []BulkCard, keys map[int64]residentKeys) error {
	names := make([][]any, len(cards))
	var search []searchRow
	for i, c := range cards {
		k := keys[c.Resident.ID]
		name, kana, err := t.sealCardNames(c.ID, k.keys)
		if err != nil {
			return err
		}
		names[i] = []any{c.ID, name, kana}
		for _, tok := range k.tokens {
			search = append(search, searchRow{token: tok, cardID: c.ID})
		}
	}
	if err := t.insertBulk(ctx, cardNamesTable, anyRows(names)); err != nil {
		return err
	}
	if t.deferred == nil {
		return t.writeSearchRows(ctx, search)
	}
	*t.deferred = append(*t.deferred, search...)
	if len(*t.deferred) >= deferLimit {
		return t.FlushSearchIndex(ctx)
	}
	return nil
}

var cardEventsTable = bulkTable{name: "card_events",
	cols: []string{"card_id", "at", "actor_id", "actor", "kind", "from_status", "to_status", "field", "old_value",
		"new_value", "reason"},
	types: []string{"bigint", "bigint", "bigint", "text", "text", "text", "text", "text", "text", "text", "text"}}

func (t *Tx) insertEvents(ctx context.Context, cards []BulkCard) error {
	rows := make([][]any, 0, len(cards))
	for _, c := range cards {
		for _, e := range append([]CardEvent{c.Event}, c.Later...) {
			s := t.rowSealer(e.CardID) // as InsertCardEvent: old and new values may be personal
			oldV, newV := s.seal(e.OldValue, "card_events.old_value"), s.seal(e.NewValue, "card_events.new_value")
			if s.err != nil {
				return s.err
			}
			rows = append(rows, []any{e.CardID, millis(e.At), sql.NullInt64{Int64: e.ActorID, Valid: e.ActorID != 0}, e.Actor, e.Kind,
				nullString(string(e.FromStatus)), nullString(string(e.ToStatus)), e.Field, oldV, newV, e.Reason})
		}
	}
	return t.insertBulk(ctx, cardEventsTable, anyRows(rows))
}

var cardPostingsTable = bulkTable{name: "card_postings",
	cols: []string{"card_id", "kind", "posted_date", "postal_code", "address", "reason", "note", "actor_id", "actor",
		"created_at"},
	types: []string{"bigint", "text", "text", "text", "text", "text", "text", "bigint", "text", "bigint"}}

// insertPostings writes the cards' mailings as InsertPosting does, sealed
// and bound to their cards.
func (t *Tx) insertPostings(ctx context.Context, cards []BulkCard) error {
	var rows [][]any
	for _, c := range cards {
		for _, p := range c.Postings {
			s := t.rowSealer(p.CardID)
			postal, addr := s.seal(p.PostalCode, "card_postings.postal_code"), s.seal(p.Address, "card_postings.address")
			note := s.seal(p.Note, "card_postings.note")
			if s.err != nil {
				return s.err
			}
			rows = append(rows, []any{p.CardID, p.Kind, p.Date, postal, addr, p.Reason, note,
				actorRef(p.ActorID), p.Actor, millis(p.CreatedAt)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return t.insertBulk(ctx, cardPostingsTable, anyRows(rows))
}
