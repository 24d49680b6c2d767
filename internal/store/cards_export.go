package store

import "context"

// EachCard streams every card matching f in f's order, ignoring paging,
// so an export of a million cards holds one row in memory at a time.
func (t *Tx) EachCard(ctx context.Context, f CardFilter, fn func(CardRecord) error) error {
	order, err := f.orderBy()
	if err != nil {
		return err
	}
	where, args := f.where()
	rows, err := t.query(ctx, `SELECT `+recordColumns+cardFrom+where+order, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}
