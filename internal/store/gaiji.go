package store

import (
	"context"
	"errors"
	"time"
)

// Gaiji is one entry of the city's 外字 table.
type Gaiji struct {
	CodePoint rune
	Text      string
	Note      string
	UpdatedAt time.Time
	UpdatedBy string
}

// GaijiMap returns the whole table as code point → intended text.
func (t *Tx) GaijiMap(ctx context.Context) (map[rune]string, error) {
	rows, err := t.query(ctx, `SELECT code_point, text FROM gaiji`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[rune]string{}
	for rows.Next() {
		var cp int64
		var text string
		if err := rows.Scan(&cp, &text); err != nil {
			return nil, err
		}
		m[rune(cp)] = text
	}
	return m, rows.Err()
}

// GaijiEntries lists the table by code point.
func (t *Tx) GaijiEntries(ctx context.Context) ([]Gaiji, error) {
	rows, err := t.query(ctx, `SELECT code_point, text, note, updated_at, updated_by FROM gaiji ORDER BY code_point`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Gaiji
	for rows.Next() {
		var g Gaiji
		var cp, at int64
		if err := rows.Scan(&cp, &g.Text, &g.Note, &at, &g.UpdatedBy); err != nil {
			return nil, err
		}
		g.CodePoint, g.UpdatedAt = rune(cp), fromMillis(at)
		out = append(out, g)
	}
	return out, rows.Err()
}

// PutGaiji inserts or replaces one entry and returns the previous text
// ("" when new).
func (t *Tx) PutGaiji(ctx context.Context, g Gaiji) (string, error) {
	var old string
	err := t.queryRow(ctx, `SELECT text FROM gaiji WHERE code_point = $1`, int64(g.CodePoint)).Scan(&old)
	if err := ignoreNotFound(translate(err)); err != nil {
		return "", err
	}
	_, err = t.exec(ctx, `INSERT INTO gaiji (code_point, text, note, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code_point) DO UPDATE SET text = excluded.text, note = excluded.note,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		int64(g.CodePoint), g.Text, g.Note, millis(g.UpdatedAt), g.UpdatedBy)
	return old, err
}

// DeleteGaiji removes one entry.
func (t *Tx) DeleteGaiji(ctx context.Context, cp rune) error {
	_, err := t.exec(ctx, `DELETE FROM gaiji WHERE code_point = $1`, int64(cp))
	return err
}

// RekeyGaijiResidents renews the search keys of every resident whose name
// holds 外字, computing them from mapped(name): once the city says what a
// 外字 is, a search for that character finds the name. The stored name
// keeps its code points.
func (t *Tx) RekeyGaijiResidents(ctx context.Context, mapped func(string) string) error {
	type person struct {
		id         int64
		name, kana string
		old        searchKeys
	}
	rows, err := t.query(ctx, `SELECT id, name, name_kana, name_key, kana_key FROM residents WHERE has_gaiji`)
	if err != nil {
		return err
	}
	var people []person
	for rows.Next() {
		var p person
		var nameKey, kanaKey string
		if err := rows.Scan(&p.id, &p.name, &p.kana, &nameKey, &kanaKey); err != nil {
			rows.Close()
			return err
		}
		s := t.rowSealer(p.id)
		s.open(&p.name, "residents.name")
		s.open(&p.kana, "residents.name_kana")
		p.old, err = t.openKeys("residents", p.id, nameKey, kanaKey)
		if err = errors.Join(s.err, err); err != nil {
			rows.Close()
			return err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range people {
		keys := keysOf(mapped(p.name), mapped(p.kana))
		if keys == p.old {
			continue
		}
		s := t.rowSealer(p.id)
		nameKey, kanaKey := s.seal(keys.name, "residents.name_key"), s.seal(keys.kana, "residents.kana_key")
		if s.err != nil {
			return s.err
		}
		if _, err := t.exec(ctx, `UPDATE residents SET name_key = $2, kana_key = $3 WHERE id = $1`, p.id, nameKey, kanaKey); err != nil {
			return err
		}
		if err := t.rekeyResidentCards(ctx, p.id, p.old, keys); err != nil {
			return err
		}
	}
	return nil
}
