package store

import (
	"context"
)

// Lookups of many keys at once, so that a bulk import asks the database
// once per chunk of rows instead of once per row.

// NewestCardsByApplicationIDs returns the newest card (as CardByApplicationID
// does, without the raw row and without locking it) of each application
// that has one, by 申請書ID.
func (t *Tx) NewestCardsByApplicationIDs(ctx context.Context, applicationIDs []string) (map[string]CardRecord, error) {
	out := make(map[string]CardRecord)
	err := eachPiece(applicationIDs, func(ids []string) error {
		cond, args := t.anyOf("a.application_id", ids)
		rows, err := t.query(ctx, `SELECT `+recordColumns+cardFrom+` WHERE `+cond, args...)
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		for rows.Next() {
			rec, err := t.scanRecord(rows)
			if err != nil {
				return err
			}
			if prev, ok := out[rec.Application.ApplicationID]; !ok || prev.ID < rec.ID {
				out[rec.Application.ApplicationID] = rec
			}
		}
		return rows.Err()
	})
	return out, err
}

// CardIDsByNoticeNumbers returns the card holding each of the notice
// numbers that one holds.
func (t *Tx) CardIDsByNoticeNumbers(ctx context.Context, notices []string) (map[string]int64, error) {
	return t.idsBy(ctx, `SELECT notice_number, id FROM cards WHERE `, "notice_number", notices)
}

// ResidentIDsByNumbers returns the resident of each of the 宛名番号 that
// the ledger knows.
func (t *Tx) ResidentIDsByNumbers(ctx context.Context, numbers []string) (map[string]int64, error) {
	return t.idsBy(ctx, `SELECT resident_number, id FROM residents WHERE `, "resident_number", numbers)
}

func (t *Tx) idsBy(ctx context.Context, query, col string, keys []string) (map[string]int64, error) {
	out := make(map[string]int64)
	err := eachPiece(keys, func(keys []string) error {
		cond, args := t.anyOf(col, keys)
		rows, err := t.query(ctx, query+cond, args...)
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				return err
			}
			out[k] = id
		}
		return rows.Err()
	})
	return out, err
}
