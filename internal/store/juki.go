package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// RegisterResident is one person of the resident-register extract.
type RegisterResident struct {
	ResidentNumber string
	Name           string
	NameKana       string
	BirthDate      string
	Sex            string // "male", "female" or ""
	Address        string
	JukiCard       bool // holds a 住基カード
	Status         string
	MovedOn        string
}

// PutRegisterResident inserts or replaces a person; it reports whether
// anything changed, so a re-import of the same extract changes nothing.
// Name, reading and address are sealed with a fresh nonce each time, so
// the comparison with the stored person is made decrypted, here.
func (t *Tx) PutRegisterResident(ctx context.Context, r RegisterResident, at time.Time) (bool, error) {
	var c conds
	cond, err := c.blindCond(t.keys, "number_hash", blindResident, r.ResidentNumber)
	if err != nil {
		return false, err
	}
	var key string // the stored (sealed) primary key of the person's row
	old, err := t.scanRegister(t.queryRow(ctx, `SELECT `+registerColumns+`, resident_number FROM register_residents
		WHERE `+cond+t.lock(), c.args...), &key)
	switch {
	case err == nil && old == r:
		return false, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, translate(err)
	}
	numberHash, err := t.blind(blindResident, r.ResidentNumber)
	if err != nil {
		return false, err
	}
	// The register has no row ID: a person's values are bound to the keyed
	// hash of their 宛名番号, the key the row is found by.
	s := sealer{t: t, row: rowKey(numberHash.Int64)}
	number, name, kana := s.seal(r.ResidentNumber, "register_residents.resident_number"),
		s.seal(r.Name, "register_residents.name"), s.seal(r.NameKana, "register_residents.name_kana")
	birth, sex, addr := s.seal(r.BirthDate, "register_residents.birth_date"), s.seal(sexCode(r.Sex), "register_residents.sex"),
		s.seal(r.Address, "register_residents.address")
	if s.err != nil {
		return false, s.err
	}
	birthHash, err := t.blind(blindBirth, r.BirthDate)
	if err != nil {
		return false, err
	}
	if key != "" {
		_, err = t.exec(ctx, `UPDATE register_residents SET resident_number = $2, name = $3, name_kana = $4,
			birth_date = $5, sex = $6, address = $7, juki_card = $8, status = $9, moved_on = $10, updated_at = $11,
			number_hash = $12, birth_hash = $13 WHERE resident_number = $1`,
			key, number, name, kana, birth, sex, addr, r.JukiCard, r.Status, r.MovedOn, millis(at), numberHash, birthHash)
		return err == nil, translate(err)
	}
	_, err = t.exec(ctx, `INSERT INTO register_residents (resident_number, name, name_kana, birth_date, sex, address,
		juki_card, status, moved_on, updated_at, number_hash, birth_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		number, name, kana, birth, sex, addr, r.JukiCard, r.Status, r.MovedOn, millis(at), numberHash, birthHash)
	return err == nil, translate(err)
}

const registerColumns = `resident_number, name, name_kana, birth_date, sex, address, juki_card, status, moved_on,
	COALESCE(number_hash, 0)`

// scanRegister scans registerColumns (and extra) and opens the sealed
// fields.
func (t *Tx) scanRegister(row interface{ Scan(...any) error }, extra ...any) (RegisterResident, error) {
	var r RegisterResident
	var hash int64
	dest := append([]any{&r.ResidentNumber, &r.Name, &r.NameKana, &r.BirthDate, &r.Sex, &r.Address, &r.JukiCard,
		&r.Status, &r.MovedOn, &hash}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	s := sealer{t: t, row: rowKey(hash)}
	s.open(&r.ResidentNumber, "register_residents.resident_number")
	s.open(&r.Name, "register_residents.name")
	s.open(&r.NameKana, "register_residents.name_kana")
	s.open(&r.BirthDate, "register_residents.birth_date")
	s.open(&r.Sex, "register_residents.sex")
	s.open(&r.Address, "register_residents.address")
	r.Sex = sexOf(r.Sex)
	return r, s.err
}

// RegisterResidents returns people of the extract: by birth date and/or a
// name or kana fragment. Names are sealed, so the fragment is matched on
// the decrypted names (of the people born that day when a birth date is
// given: the extract is a city's, not a nation's) and the result ordered by
// reading in memory.
func (t *Tx) RegisterResidents(ctx context.Context, q, birth string, limit int) ([]RegisterResident, error) {
	var c conds
	where := ""
	if birth != "" {
		cond, err := c.blindCond(t.keys, "birth_hash", blindBirth, birth)
		if err != nil {
			return nil, err
		}
		where = " WHERE " + cond
	}
	rows, err := t.query(ctx, `SELECT `+registerColumns+` FROM register_residents`+where, c.args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []RegisterResident
	for rows.Next() {
		r, err := t.scanRegister(rows)
		if err != nil {
			return nil, err
		}
		if q == "" || strings.Contains(r.Name, q) || strings.Contains(r.NameKana, q) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b RegisterResident) int {
		return cmp.Or(strings.Compare(a.NameKana, b.NameKana), strings.Compare(a.ResidentNumber, b.ResidentNumber))
	})
	return out[:min(len(out), limit)], rows.Err()
}

// SameNameAndBirth counts register people sharing a name and birth date;
// more than one means a card is never linked by attributes.
func (t *Tx) SameNameAndBirth(ctx context.Context, name, birth string) (int, error) {
	people, err := t.RegisterResidents(ctx, "", birth, 1<<30)
	n := 0
	for _, p := range people {
		if p.Name == name {
			n++
		}
	}
	return n, err
}

// OpenCardsOf returns the ledger's cards still waiting (not issued, not
// ended) of applicants linked to the register person: by 宛名番号, or by
// name, birth date, sex and address all equal. Names and addresses are
// sealed, so SQL narrows by birth date and sex and the rest is compared
// decrypted.
func (t *Tx) OpenCardsOf(ctx context.Context, r RegisterResident, byAttributes bool) ([]int64, error) {
	var c conds
	cond, err := c.blindCond(t.keys, "re.number_hash", blindResident, r.ResidentNumber)
	if err != nil {
		return nil, err
	}
	if byAttributes {
		birth, err := c.blindCond(t.keys, "re.birth_hash", blindBirth, r.BirthDate)
		if err != nil {
			return nil, err
		}
		cond = `(` + cond + ` OR (re.number_hash IS NULL AND ` + birth + `))`
	}
	rows, err := t.query(ctx, `SELECT c.id, re.id, COALESCE(re.resident_number, ''), re.name, re.sex, re.address
		FROM cards c JOIN applications a ON a.id = c.application_ref
		JOIN residents re ON re.id = a.resident_id WHERE `+cond+`
		AND c.status NOT IN ('issued', 'cancelled', 'disposal_pending', 'disposed', 'returned_to_jlis', 'defective')
		ORDER BY c.id`, c.args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id, residentID int64
		var number, name, sex, address string
		if err := rows.Scan(&id, &residentID, &number, &name, &sex, &address); err != nil {
			return nil, err
		}
		s := t.rowSealer(residentID)
		s.open(&number, "residents.resident_number")
		s.open(&name, "residents.name")
		s.open(&sex, "residents.sex")
		s.open(&address, "residents.address")
		if s.err != nil {
			return nil, s.err
		}
		if number == r.ResidentNumber || (number == "" && name == r.Name && sexOf(sex) == r.Sex && address == r.Address) {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// Proposal is a cancellation waiting for staff.
type Proposal struct {
	ID             int64
	CardID         int64
	ResidentNumber string
	Reason         string
	Status         string // proposed, confirmed, dismissed
	CreatedAt      time.Time
	DecidedBy      string
	DecidedAt      time.Time
	// The card's holder as the ledger knows them (外字 kept as received)
	// and its notice number; filled by Proposals only.
	Name         string
	NameKana     string
	NoticeNumber string
}

// ProposeCancellation records a proposal for a card unless one exists; it
// reports whether it was new.
func (t *Tx) ProposeCancellation(ctx context.Context, cardID int64, number, reason string, at time.Time) (bool, error) {
	sealed, err := t.seal(number, "cancellation_proposals.resident_number", rowKey(cardID)) // one per card
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, `INSERT INTO cancellation_proposals (card_id, resident_number, reason, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (card_id) DO NOTHING`, cardID, sealed, reason, millis(at))
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

const proposalColumns = `id, card_id, resident_number, reason, status, created_at, decided_by, decided_at`

func (t *Tx) scanProposal(row interface{ Scan(...any) error }) (Proposal, error) {
	var p Proposal
	var created int64
	var decided sql.NullInt64
	err := row.Scan(&p.ID, &p.CardID, &p.ResidentNumber, &p.Reason, &p.Status, &created, &p.DecidedBy, &decided)
	p.CreatedAt, p.DecidedAt = fromMillis(created), fromMillis(decided.Int64)
	if err != nil {
		return p, err
	}
	p.ResidentNumber, err = t.open(p.ResidentNumber, "cancellation_proposals.resident_number", rowKey(p.CardID))
	return p, err
}

// Proposals lists proposals in a status, oldest first, with the name and
// notice number of each card.
func (t *Tx) Proposals(ctx context.Context, status string) ([]Proposal, error) {
	rows, err := t.query(ctx, `SELECT p.id, p.card_id, p.resident_number, p.reason, p.status, p.created_at,
		p.decided_by, p.decided_at, r.id, r.name, r.name_kana, COALESCE(c.notice_number, '')
		FROM cancellation_proposals p JOIN cards c ON c.id = p.card_id
		JOIN applications a ON a.id = c.application_ref JOIN residents r ON r.id = a.resident_id
		WHERE p.status = $1 ORDER BY p.id`, status)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Proposal
	for rows.Next() {
		var p Proposal
		var created, residentID int64
		var decided sql.NullInt64
		if err := rows.Scan(&p.ID, &p.CardID, &p.ResidentNumber, &p.Reason, &p.Status, &created, &p.DecidedBy,
			&decided, &residentID, &p.Name, &p.NameKana, &p.NoticeNumber); err != nil {
			return nil, err
		}
		p.CreatedAt, p.DecidedAt = fromMillis(created), fromMillis(decided.Int64)
		o, r := t.rowSealer(p.CardID), t.rowSealer(residentID)
		o.open(&p.ResidentNumber, "cancellation_proposals.resident_number")
		o.open(&p.NoticeNumber, "cards.notice_number")
		r.open(&p.Name, "residents.name")
		r.open(&p.NameKana, "residents.name_kana")
		if err := errors.Join(o.err, r.err); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProposalByID returns a proposal (locked in a write transaction).
func (t *Tx) ProposalByID(ctx context.Context, id int64) (Proposal, error) {
	p, err := t.scanProposal(t.queryRow(ctx, `SELECT `+proposalColumns+` FROM cancellation_proposals WHERE id = $1`+t.lock(), id))
	return p, translate(err)
}

// DecideProposal records staff's decision on a proposal still waiting; a
// proposal already decided (by someone else meanwhile) is a conflict.
func (t *Tx) DecideProposal(ctx context.Context, id int64, status, by string, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE cancellation_proposals SET status = $2, decided_by = $3, decided_at = $4
		WHERE id = $1 AND status = 'proposed'`, id, status, by, millis(at))
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return apperr.New(apperr.Conflict, "この提案はすでに処理されています。")
	}
	return nil
}

// ReopenProposal puts a claimed proposal back to waiting (when the card
// could not be cancelled after all).
func (t *Tx) ReopenProposal(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `UPDATE cancellation_proposals SET status = 'proposed', decided_by = '', decided_at = NULL
		WHERE id = $1`, id)
	return translate(err)
}
