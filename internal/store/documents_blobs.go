package store

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document/blob"
)

// countStaleDocuments counts the stored blobs not sealed under the
// current key.
func (t *Tx) countStaleDocuments(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM documents WHERE deleted_at IS NULL AND sealed_size > 0 AND key_id <> $1`,
		t.keys.Current().ID()).Scan(&n)
	return n, translate(err)
}

// resealDocuments seals every blob still under an older key again under
// the current one, one document per transaction (a blob may be 100 MB):
// the new chunks are written beside the old ones (negative seq), checked
// against the stored SHA-256, and only then replace them.
func (db *DB) resealDocuments(ctx context.Context, changed func(int)) error {
	var after int64
	for {
		var id int64
		err := db.View(ctx, func(t *Tx) error {
			err := t.queryRow(ctx, `SELECT id FROM documents WHERE id > $1 AND deleted_at IS NULL AND sealed_size > 0 AND key_id <> $2
				ORDER BY id LIMIT 1`, after, t.keys.Current().ID()).Scan(&id)
			return ignoreNotFound(translate(err))
		})
		if err != nil || id == 0 {
			return err
		}
		if err := db.Update(ctx, func(t *Tx) error { return t.resealDocument(ctx, id) }); err != nil {
			return err
		}
		changed(1)
		after = id
	}
}

func (t *Tx) resealDocument(ctx context.Context, id int64) error {
	d, err := t.scanDocument(t.queryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = $1`+t.lock(), id))
	if err != nil {
		return err
	}
	sealer, err := t.documentSealer()
	if err != nil || d.Deleted() || d.KeyID == sealer.CurrentKeyID() {
		return err // deleted or resealed meanwhile
	}
	cw := &chunkWriter{ctx: ctx, t: t, id: id, buf: make([]byte, 0, DocumentChunkSize), aside: true}
	sum, err := sealer.Reseal(cw, io.NewSectionReader(t.chunkReader(ctx, id), 0, d.SealedSize), documentBlobID(id))
	if err != nil {
		return err
	}
	if err := cw.flush(); err != nil {
		return err
	}
	if hex.EncodeToString(sum) != d.SHA256 {
		return apperr.New(blob.CodeCorrupt, "書類 "+rowKey(id)+" の内容が保存時の SHA-256 と一致しません。kofu documents verify で確かめてください。")
	}
	for _, q := range []string{
		`DELETE FROM document_chunks WHERE document_id = $1 AND seq >= 0`,
		`UPDATE document_chunks SET seq = -seq - 1 WHERE document_id = $1`,
	} {
		if _, err := t.exec(ctx, q, id); err != nil {
			return translate(err)
		}
	}
	_, err = t.exec(ctx, `UPDATE documents SET key_id = $2, sealed_size = $3 WHERE id = $1`, id, sealer.CurrentKeyID(), cw.written)
	return translate(err)
}

// Document problems found by VerifyDocuments.
const (
	DocumentMissing  = "missing"  // the row says there is content, but no chunk is stored
	DocumentOrphaned = "orphaned" // chunks of a deleted document, or beyond the blob's end
	DocumentTampered = "tampered" // the blob does not open, or its content is not what was stored
	DocumentKey      = "key"      // sealed under a key that was not given
)

// DocumentReport is what VerifyDocuments found.
type DocumentReport struct {
	Checked  int
	Bytes    int64
	Problems []DocumentProblem
}

// VerifyDocuments reads every stored blob to its end through its seal and
// compares it with the SHA-256 stored when it was written, and looks for
// chunks no document accounts for. One document is read per transaction.
func (db *DB) VerifyDocuments(ctx context.Context, progress func(checked int)) (DocumentReport, error) {
	var r DocumentReport
	err := db.View(ctx, func(t *Tx) error {
		rows, err := t.query(ctx, `SELECT c.document_id, COUNT(*) FROM document_chunks c JOIN documents d ON d.id = c.document_id
			WHERE d.deleted_at IS NOT NULL OR c.seq < 0 OR c.seq * `+itoa(DocumentChunkSize)+` >= d.sealed_size
			GROUP BY c.document_id ORDER BY c.document_id`)
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			r.Problems = append(r.Problems, DocumentProblem{DocumentID: id, Problem: DocumentOrphaned,
				Detail: itoa(n) + " chunks belong to no stored content"})
		}
		return translate(rows.Err())
	})
	if err != nil {
		return r, err
	}
	var after int64
	for {
		var d DocumentRecord
		var problem *DocumentProblem
		err := db.View(ctx, func(t *Tx) error {
			var err error
			d, err = t.scanDocument(t.queryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id > $1 AND deleted_at IS NULL
				ORDER BY id LIMIT 1`, after))
			if err != nil {
				return err
			}
			problem, err = t.verifyDocument(ctx, d)
			return err
		})
		if apperr.Is(err, apperr.NotFound) {
			return r, nil
		}
		if err != nil {
			return r, err
		}
		r.Checked++
		r.Bytes += d.Size
		if problem != nil {
			r.Problems = append(r.Problems, *problem)
		}
		if progress != nil {
			progress(r.Checked)
		}
		after = d.ID
	}
}

func (t *Tx) verifyDocument(ctx context.Context, d DocumentRecord) (*DocumentProblem, error) {
	var chunks int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM document_chunks WHERE document_id = $1 AND seq >= 0`, d.ID).Scan(&chunks); err != nil {
		return nil, translate(err)
	}
	if chunks == 0 {
		return &DocumentProblem{DocumentID: d.ID, Problem: DocumentMissing, Detail: "no stored content"}, nil
	}
	sealer, err := t.documentSealer()
	if err != nil {
		return nil, err
	}
	sum, err := hex.DecodeString(d.SHA256)
	if err != nil {
		return &DocumentProblem{DocumentID: d.ID, Problem: DocumentTampered, Detail: "stored sha256 unreadable"}, nil
	}
	err = sealer.Verify(io.NewSectionReader(t.chunkReader(ctx, d.ID), 0, d.SealedSize), documentBlobID(d.ID), sum)
	switch apperr.CodeOf(err) {
	case apperr.Internal:
		if err != nil {
			return nil, err
		}
		return nil, nil
	case blob.CodeKey:
		return &DocumentProblem{DocumentID: d.ID, Problem: DocumentKey, Detail: apperr.MessageOf(err)}, nil
	}
	return &DocumentProblem{DocumentID: d.ID, Problem: DocumentTampered, Detail: err.Error()}, nil
}
