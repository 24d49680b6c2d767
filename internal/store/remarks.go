package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SetResidentRemarks replaces the remarks of a resident (市民個人の備考),
// which every card of the resident shows.
func (t *Tx) SetResidentRemarks(ctx context.Context, residentID int64, remarks string, now time.Time) error {
	sealed, err := t.seal(remarks, "residents.remarks", rowKey(residentID))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE residents SET remarks = $2, updated_at = $3 WHERE id = $1`, residentID, sealed, millis(now))
	return affectedOne(res, err)
}

// MergeRemarks adds text to remarks as a paragraph of its own, unless the
// remarks already hold it: remarks that came from several cards or files
// are kept whole, and the same text does not pile up.
func MergeRemarks(remarks, text string) string {
	switch text = strings.TrimSpace(text); {
	case text == "" || strings.Contains(remarks, text):
		return remarks
	case remarks == "":
		return text
	}
	return remarks + "\n" + text
}

// moveCardRemarks gives each resident the remarks of their cards (oldest
// card first) and empties the cards' own, for migration 70: a reissued
// card of the same person (same resident row, as imports link cards by
// 宛名番号) then shows what staff wrote on the earlier one.
func (t *Tx) moveCardRemarks(ctx context.Context) error {
	rows, err := t.query(ctx, `SELECT c.id, a.resident_id, c.remarks FROM cards c JOIN applications a ON a.id = c.application_ref
		WHERE c.remarks <> '' ORDER BY a.resident_id, c.id`)
	if err != nil {
		return translate(err)
	}
	merged := map[int64]string{}
	var order []int64
	for rows.Next() {
		var cardID, residentID int64
		var sealed string
		if err := rows.Scan(&cardID, &residentID, &sealed); err != nil {
			rows.Close()
			return err
		}
		text, err := t.openLegacy(sealed, "cards.remarks", "cards.remarks", rowKey(cardID))
		if err != nil {
			rows.Close()
			return fmt.Errorf("カード %d の備考: %w", cardID, err)
		}
		if _, seen := merged[residentID]; !seen {
			order = append(order, residentID)
		}
		merged[residentID] = MergeRemarks(merged[residentID], text)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range order {
		sealed, err := t.seal(merged[id], "residents.remarks", rowKey(id))
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE residents SET remarks = $2 WHERE id = $1`, id, sealed); err != nil {
			return translate(err)
		}
	}
	_, err = t.exec(ctx, `UPDATE cards SET remarks = '' WHERE remarks <> ''`)
	return translate(err)
}
