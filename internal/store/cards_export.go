package store

import "context"

// EachCard streams every card matching f, ignoring paging, so an export of
// a million cards holds one row in memory at a time. Names are sealed, so
// the kana and name sorts stream in card ID order here, and a name query's
// candidates are checked against the decrypted name one by one.
func (t *Tx) EachCard(ctx context.Context, f CardFilter, fn func(CardRecord) error) error {
	order, err := f.orderBy()
	if err != nil {
		return err
	}
	where, args, err := f.where(t.keys)
	if err != nil {
		return err
	}
	qkeys := queryKeys(f.Query)
	rows, err := t.query(ctx, `SELECT `+recordColumns+`, r.name_key, r.kana_key`+cardFrom+where+order, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, kana string
		rec, err := t.scanRecord(rows, &name, &kana)
		if err != nil {
			return err
		}
		if len(qkeys) > 0 {
			keys, err := t.openKeys(name, kana)
			if err != nil {
				return err
			}
			if !keys.matches(qkeys) {
				continue
			}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}
