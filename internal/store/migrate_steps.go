package store

import (
	"context"
	"fmt"
)

// migrationSteps are the parts of migrations that SQL cannot do: sealing
// values and computing keyed hashes need the data key. Each runs in its
// migration's transaction right after the migration's SQL, so a database
// at that version has had it done.
var migrationSteps = map[int]func(ctx context.Context, t *Tx) error{
	16: func(ctx context.Context, t *Tx) error { return t.sealAll(ctx) },
	18: func(ctx context.Context, t *Tx) error { return t.rebuildSearch(ctx) },
	70: func(ctx context.Context, t *Tx) error { return t.moveCardRemarks(ctx) },
}

// rebuildSearch makes the search rows of every card again from card_names,
// under the current key, and seals card_names again where it is under
// another key.
func (t *Tx) rebuildSearch(ctx context.Context) error {
	var after int64
	for {
		rows, err := t.query(ctx, `SELECT card_id, name_key, kana_key FROM card_names WHERE card_id > $1
			ORDER BY card_id LIMIT `+itoa(ResealBatch), after)
		if err != nil {
			return translate(err)
		}
		type named struct {
			id         int64
			name, kana string
		}
		var batch []named
		for rows.Next() {
			var n named
			if err := rows.Scan(&n.id, &n.name, &n.kana); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if t.keys == nil {
			return fmt.Errorf("氏名検索の索引を作り直します: %w", errNoKeys())
		}
		var search []searchRow
		for _, n := range batch {
			keys, err := t.openCardNames(n.id, n.name, n.kana)
			if err != nil {
				return err
			}
			toks, err := t.tokens(keys)
			if err != nil {
				return err
			}
			for _, tok := range toks {
				search = append(search, searchRow{token: tok, cardID: n.id})
			}
			if !t.currentRow(n.name) || !t.currentRow(n.kana) {
				name, kana, err := t.sealCardNames(n.id, keys)
				if err != nil {
					return err
				}
				if _, err := t.exec(ctx, `UPDATE card_names SET name_key = $2, kana_key = $3 WHERE card_id = $1`,
					n.id, name, kana); err != nil {
					return translate(err)
				}
			}
		}
		if err := t.writeSearchRows(ctx, search); err != nil {
			return err
		}
		after = batch[len(batch)-1].id
	}
}
