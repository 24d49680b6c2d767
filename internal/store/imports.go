package store

import (
	"context"
	"time"
)

// ImportRecord is the trace of one imported file.
type ImportRecord struct {
	ID        int64
	Kind      string
	FileName  string
	SHA256    string
	Encoding  string
	ActorID   int64
	Actor     string
	StartedAt time.Time
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	Rejected  int
	Report    string // JSON: the full answer given to the importer (sealed: it quotes rejected lines)
}

// InsertImport records an import and sets its ID.
func (t *Tx) InsertImport(ctx context.Context, r *ImportRecord) error {
	id, err := t.nextID(ctx, "imports")
	if err != nil {
		return err
	}
	report, err := t.seal(r.Report, "imports.report", rowKey(id))
	if err != nil {
		return err
	}
	r.ID = id
	_, err = t.exec(ctx, `INSERT INTO imports (kind, file_name, sha256, encoding, actor_id, actor, started_at,
		rows_total, created, updated, unchanged, rejected, report, id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.Kind, r.FileName, r.SHA256, r.Encoding, r.ActorID, r.Actor, millis(r.StartedAt), r.Rows, r.Created,
		r.Updated, r.Unchanged, r.Rejected, report, r.ID)
	return translate(err)
}

const importColumns = `id, kind, file_name, sha256, encoding, COALESCE(actor_id, 0), actor, started_at,
	rows_total, created, updated, unchanged, rejected, report`

func (t *Tx) scanImport(row interface{ Scan(...any) error }) (ImportRecord, error) {
	var r ImportRecord
	var at int64
	err := row.Scan(&r.ID, &r.Kind, &r.FileName, &r.SHA256, &r.Encoding, &r.ActorID, &r.Actor, &at,
		&r.Rows, &r.Created, &r.Updated, &r.Unchanged, &r.Rejected, &r.Report)
	r.StartedAt = fromMillis(at)
	if err != nil {
		return r, err
	}
	r.Report, err = t.open(r.Report, "imports.report", rowKey(r.ID))
	return r, err
}

// Imports lists recorded imports, newest first.
func (t *Tx) Imports(ctx context.Context, limit int) ([]ImportRecord, error) {
	rows, err := t.query(ctx, `SELECT `+importColumns+` FROM imports ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportRecord
	for rows.Next() {
		r, err := t.scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ImportByID returns one import record, or not_found.
func (t *Tx) ImportByID(ctx context.Context, id int64) (ImportRecord, error) {
	r, err := t.scanImport(t.queryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id))
	return r, translate(err)
}

// LockImports makes concurrent imports run one after another, so two
// uploads of one file cannot both create its cards (SQLite's single writer
// already does; PostgreSQL takes a transaction-level advisory lock), and
// readies the transaction for a bulk write (PreferIndexes).
func (t *Tx) LockImports(ctx context.Context) error {
	if t.d.forUpdate == "" {
		return nil
	}
	if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7432002)`); err != nil {
		return err
	}
	return t.PreferIndexes(ctx)
}

// PreferIndexes readies the transaction for a bulk write: it tells
// PostgreSQL's planner not to scan tables for the rest of it. An import
// writes tens of thousands of rows into tables whose statistics may have
// been taken when they held a few, and plans made then (the foreign-key
// checks' above all) would scan a table per row, so a file would take
// quadratic time. Every statement of an import is a lookup by key, so an
// index is always the right plan. SQLite needs nothing.
func (t *Tx) PreferIndexes(ctx context.Context) error {
	if t.d.forUpdate == "" {
		return nil
	}
	_, err := t.exec(ctx, `SET LOCAL enable_seqscan = off`)
	return err
}

// StageUpload keeps an uploaded file until its import is confirmed.
func (t *Tx) StageUpload(ctx context.Context, actorID int64, fileName string, content []byte, at time.Time) (int64, error) {
	id, err := t.nextID(ctx, "import_uploads")
	if err != nil {
		return 0, err
	}
	sealed, err := t.sealBytes(content, "import_uploads.content", rowKey(id)) // a delivery file lists names and addresses
	if err != nil {
		return 0, err
	}
	_, err = t.exec(ctx, `INSERT INTO import_uploads (id, actor_id, file_name, content, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, actorID, fileName, sealed, millis(at))
	return id, translate(err)
}

// Upload returns a staged file of the actor, or not_found.
func (t *Tx) Upload(ctx context.Context, id, actorID int64) (fileName string, content []byte, err error) {
	err = t.queryRow(ctx, `SELECT file_name, content FROM import_uploads WHERE id = $1 AND actor_id = $2`, id, actorID).Scan(&fileName, &content)
	if err != nil {
		return "", nil, translate(err)
	}
	content, err = t.openBytes(content, "import_uploads.content", rowKey(id))
	return fileName, content, err
}

// DeleteUpload removes a staged file.
func (t *Tx) DeleteUpload(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `DELETE FROM import_uploads WHERE id = $1`, id)
	return err
}

// PurgeUploads removes staged files older than before.
func (t *Tx) PurgeUploads(ctx context.Context, before time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM import_uploads WHERE created_at < $1`, millis(before))
	return err
}
