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
// numbers that one holds, found by their keyed hashes.
func (t *Tx) CardIDsByNoticeNumbers(ctx context.Context, notices []string) (map[string]int64, error) {
	return t.idsByBlind(ctx, "cards", "notice_hash", blindNotice, notices)
}

// ResidentIDsByNumbers returns the resident of each of the 宛名番号 that
// the ledger knows, found by their keyed hashes.
func (t *Tx) ResidentIDsByNumbers(ctx context.Context, numbers []string) (map[string]int64, error) {
	return t.idsByBlind(ctx, "residents", "number_hash", blindResident, numbers)
}

// idsByBlind returns the row ID of each value whose keyed hash (under any
// key of the keyring) is in col.
func (t *Tx) idsByBlind(ctx context.Context, table, col, kind string, vals []string) (map[string]int64, error) {
	if t.keys == nil {
		return nil, errNoKeys()
	}
	byHash := make(map[int64]string, len(vals)*len(t.keys.Keys()))
	var hashes []int64
	for _, v := range vals {
		for _, h := range t.keys.Tokens(blindInput(kind, v)) {
			byHash[h] = v
			hashes = append(hashes, h)
		}
	}
	out := make(map[string]int64)
	for lo := 0; lo < len(hashes); lo += maxInList {
		cond, args := t.anyOfInt64(col, hashes[lo:min(len(hashes), lo+maxInList)])
		rows, err := t.query(ctx, `SELECT `+col+`, id FROM `+table+` WHERE `+cond, args...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var h, id int64
			if err := rows.Scan(&h, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[byHash[h]] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
