package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document/blob"
)

// DocumentChunkSize is the size of one document_chunks row: a slice of
// the sealed blob. Every chunk but the last is full, so an offset in the
// blob names its row.
const DocumentChunkSize = 256 << 10

// DocumentRecord is a stored document's row. Its content is read with
// DocumentContent.
type DocumentRecord struct {
	ID           int64
	CardID       int64 // 0 while it waits in the review queue
	BookingID    int64
	Kind         string
	Format       string
	Pages        int
	Size         int64
	SHA256       string // hex, of the plaintext
	KeyID        string // the key the blob is sealed under
	SealedSize   int64
	FileName     string
	Note         string
	Source       string // upload or inbox
	Review       string // a document.Review* code while it waits for a card, or DocumentReviewStack
	ReviewReason string
	StackID      int64 // the scanner stack this page was split from; 0 for any other
	StackPage    int   // the page's number in that stack, from 1
	CreatedAt    time.Time
	CreatedBy    string
	DeletedAt    time.Time
	DeletedBy    string
	DeleteReason string
}

// Deleted reports whether the document was deleted (its row remains).
func (d DocumentRecord) Deleted() bool { return !d.DeletedAt.IsZero() }

// DocumentCheck inspects the plaintext of a document being stored (from
// its sealed chunks, never from a copy) and returns its format and pages,
// or an error that refuses it.
type DocumentCheck func(content io.ReaderAt, size int64) (format string, pages int, err error)

func documentBlobID(id int64) string { return "document-" + rowKey(id) }

func (t *Tx) documentSealer() (*blob.Sealer, error) {
	if t.keys == nil {
		return nil, errNoKeys()
	}
	return blob.SealerFor(t.keys), nil
}

// InsertDocument stores a document: content is sealed chunk by chunk into
// document_chunks as it is read (it never sits whole in memory), then
// check reads it back through the seal and decides its format and pages.
// d's ID, Size, SHA256, KeyID, SealedSize, Format and Pages are filled
// in. A refused or failed document leaves nothing once the transaction
// rolls back.
//
// SQLite's page cache is kept small meanwhile (SmallCache): a blob's pages
// are written once and read once, and would otherwise stay in the
// writer's cache, tens of MB for a scanner's stack and its pages.
func (t *Tx) InsertDocument(ctx context.Context, d *DocumentRecord, content io.Reader, check DocumentCheck) (err error) {
	sealer, err := t.documentSealer()
	if err != nil {
		return err
	}
	restore, err := t.SmallCache(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, restore()) }()
	if d.ID, err = t.nextID(ctx, "documents"); err != nil {
		return err
	}
	s := t.rowSealer(d.ID)
	fileName, note := s.seal(d.FileName, "documents.file_name"), s.seal(d.Note, "documents.note")
	if s.err != nil {
		return s.err
	}
	if d.Source == "" {
		d.Source = "upload"
	}
	var claimed any // a stack is claimed by the process storing it
	if d.Review == DocumentReviewStack {
		claimed = millis(d.CreatedAt)
	}
	_, err = t.exec(ctx, `INSERT INTO documents (id, card_id, booking_id, kind, format, pages, size, sha256, key_id, sealed_size,
		file_name, note, source, review, review_reason, created_at, created_by, stack_id, stack_page, claimed_at)
		VALUES ($1, $2, $3, $4, '', 0, 0, '', '', 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		d.ID, nullID(d.CardID), nullID(d.BookingID), d.Kind, fileName, note, d.Source, d.Review, d.ReviewReason,
		millis(d.CreatedAt), d.CreatedBy, nullID(d.StackID), d.StackPage, claimed)
	if err != nil {
		return translate(err)
	}
	cw := &chunkWriter{ctx: ctx, t: t, id: d.ID, buf: make([]byte, 0, DocumentChunkSize)}
	w, err := sealer.Seal(cw, documentBlobID(d.ID))
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, content); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := cw.flush(); err != nil {
		return err
	}
	d.Size, d.SHA256, d.KeyID, d.SealedSize = w.Size(), hex.EncodeToString(w.Sum()), sealer.CurrentKeyID(), cw.written
	plain, size, err := sealer.OpenAt(t.chunkReader(ctx, d.ID), d.SealedSize, documentBlobID(d.ID))
	if err != nil {
		return err
	}
	if d.Format, d.Pages, err = check(plain, size); err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE documents SET format = $2, pages = $3, size = $4, sha256 = $5, key_id = $6, sealed_size = $7 WHERE id = $1`,
		d.ID, d.Format, d.Pages, d.Size, d.SHA256, d.KeyID, d.SealedSize)
	return translate(err)
}

// chunkWriter cuts the sealed stream into document_chunks rows.
type chunkWriter struct {
	ctx     context.Context
	t       *Tx
	id      int64
	seq     int
	buf     []byte
	written int64
	aside   bool // write seq as -seq-1, beside the chunks being replaced
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), DocumentChunkSize-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(c.buf) == DocumentChunkSize {
			if err := c.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	seq := c.seq
	if c.aside {
		seq = -seq - 1
	}
	_, err := c.t.exec(c.ctx, `INSERT INTO document_chunks (document_id, seq, data) VALUES ($1, $2, $3)`, c.id, seq, c.buf)
	if err != nil {
		return translate(err)
	}
	c.seq++
	c.written += int64(len(c.buf))
	c.buf = c.buf[:0]
	return nil
}

// chunkReader reads a document's sealed blob from its chunks, keeping
// the last chunk read. It is safe for concurrent use (the pages of a stack
// are read by several workers), one read at a time.
type chunkReader struct {
	mu   sync.Mutex
	ctx  context.Context
	t    *Tx
	id   int64
	seq  int
	data []byte
}

func (t *Tx) chunkReader(ctx context.Context, id int64) *chunkReader {
	return &chunkReader{ctx: ctx, t: t, id: id, seq: -1}
}

func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for len(p) > 0 {
		seq := int(off / DocumentChunkSize)
		if seq != c.seq {
			var data []byte
			err := c.t.queryRow(c.ctx, `SELECT data FROM document_chunks WHERE document_id = $1 AND seq = $2`, c.id, seq).Scan(&data)
			if errors.Is(err, sql.ErrNoRows) {
				return n, io.EOF
			}
			if err != nil {
				return n, translate(err)
			}
			c.seq, c.data = seq, data
		}
		at := int(off % DocumentChunkSize)
		if at >= len(c.data) {
			return n, io.EOF
		}
		k := copy(p, c.data[at:])
		p, n, off = p[k:], n+k, off+int64(k)
		if len(c.data) < DocumentChunkSize && len(p) > 0 {
			return n, io.EOF
		}
	}
	return n, nil
}

// DocumentContent opens a document's content through its seal for random
// access (a download's range requests, reading a page). The reader is
// valid within the transaction. A document without its blob, or with a
// blob altered, fails with a document.CodeBlob* code.
func (t *Tx) DocumentContent(ctx context.Context, d DocumentRecord) (io.ReaderAt, int64, error) {
	if d.Deleted() {
		return nil, 0, apperr.New(apperr.NotFound, "この書類は削除されています。")
	}
	sealer, err := t.documentSealer()
	if err != nil {
		return nil, 0, err
	}
	return sealer.OpenAt(t.chunkReader(ctx, d.ID), d.SealedSize, documentBlobID(d.ID))
}

var documentColumns = documentColumnsAs("")

// documentColumnsAs lists a document's columns, each after prefix (a
// table alias and its dot).
func documentColumnsAs(p string) string {
	return strings.NewReplacer("{p}", p).Replace(`{p}id, COALESCE({p}card_id, 0), COALESCE({p}booking_id, 0), {p}kind, {p}format, {p}pages,
	{p}size, {p}sha256, {p}key_id, {p}sealed_size, {p}file_name, {p}note, {p}source, {p}review, {p}review_reason, {p}created_at,
	{p}created_by, {p}deleted_at, {p}deleted_by, {p}delete_reason, COALESCE({p}stack_id, 0), {p}stack_page`)
}

func (t *Tx) scanDocument(row interface{ Scan(...any) error }) (DocumentRecord, error) {
	var d DocumentRecord
	var created int64
	var deleted sql.NullInt64
	err := row.Scan(&d.ID, &d.CardID, &d.BookingID, &d.Kind, &d.Format, &d.Pages, &d.Size, &d.SHA256, &d.KeyID, &d.SealedSize,
		&d.FileName, &d.Note, &d.Source, &d.Review, &d.ReviewReason, &created, &d.CreatedBy, &deleted, &d.DeletedBy, &d.DeleteReason,
		&d.StackID, &d.StackPage)
	if err != nil {
		return d, translate(err)
	}
	d.CreatedAt = fromMillis(created)
	if deleted.Valid {
		d.DeletedAt = fromMillis(deleted.Int64)
	}
	s := t.rowSealer(d.ID)
	s.open(&d.FileName, "documents.file_name")
	s.open(&d.Note, "documents.note")
	s.open(&d.DeleteReason, "documents.delete_reason")
	return d, s.err
}

// DocumentByID returns a document's row (deleted ones too), or not_found.
func (t *Tx) DocumentByID(ctx context.Context, id int64) (DocumentRecord, error) {
	d, err := t.scanDocument(t.queryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = $1`, id))
	if apperr.Is(err, apperr.NotFound) {
		return d, apperr.New(apperr.NotFound, "書類が見つかりません。")
	}
	return d, err
}

func (t *Tx) documents(ctx context.Context, where string, args ...any) ([]DocumentRecord, error) {
	rows, err := t.query(ctx, `SELECT `+documentColumns+` FROM documents WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []DocumentRecord{}
	for rows.Next() {
		d, err := t.scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// BookingDocuments lists a booking's documents that were not deleted,
// oldest first.
func (t *Tx) BookingDocuments(ctx context.Context, bookingID int64) ([]DocumentRecord, error) {
	return t.documents(ctx, `booking_id = $1 AND deleted_at IS NULL`, bookingID)
}

// CardDocuments lists a card's documents that were not deleted, oldest first.
func (t *Tx) CardDocuments(ctx context.Context, cardID int64) ([]DocumentRecord, error) {
	return t.documents(ctx, `card_id = $1 AND deleted_at IS NULL`, cardID)
}

// ReviewDocuments lists the pages waiting for staff to choose their card.
func (t *Tx) ReviewDocuments(ctx context.Context) ([]DocumentRecord, error) {
	return t.documents(ctx, `card_id IS NULL AND review <> '' AND deleted_at IS NULL`)
}

// DocumentBytesSince sums the sizes of the files taken in since t0: the
// day's limit counts what was taken in, deleted documents and split
// stacks too, and each byte once: a page split from a stack is counted
// with its stack, not again.
func (t *Tx) DocumentBytesSince(ctx context.Context, t0 time.Time) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM documents WHERE created_at >= $1 AND stack_id IS NULL`, millis(t0)).Scan(&n)
	return n, translate(err)
}

// FileDocument attaches a document from the review queue to a card (and
// a booking), with the kind staff chose.
func (t *Tx) FileDocument(ctx context.Context, id, cardID, bookingID int64, kind string) error {
	res, err := t.exec(ctx, `UPDATE documents SET card_id = $2, booking_id = $3, kind = $4, review = '', review_reason = ''
		WHERE id = $1 AND deleted_at IS NULL`, id, cardID, nullID(bookingID), kind)
	return documentChanged(res, err, "書類が見つかりません。")
}

// DeleteDocument removes a document's content and records who deleted
// it, when and why (sealed) on its row.
func (t *Tx) DeleteDocument(ctx context.Context, id int64, by, reason string, at time.Time) error {
	sealed, err := t.seal(reason, "documents.delete_reason", rowKey(id))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE documents SET deleted_at = $2, deleted_by = $3, delete_reason = $4 WHERE id = $1 AND deleted_at IS NULL`,
		id, millis(at), by, sealed)
	if err := documentChanged(res, err, "書類が見つからないか、すでに削除されています。"); err != nil {
		return err
	}
	_, err = t.exec(ctx, `DELETE FROM document_chunks WHERE document_id = $1`, id)
	return translate(err)
}

func documentChanged(res sql.Result, err error, notFound string) error {
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, notFound)
	}
	return nil
}

// DocumentProblem is a blob that verification found wrong.
type DocumentProblem struct {
	DocumentID int64
	Problem    string // missing, orphaned, tampered, key
	Detail     string
}

func (p DocumentProblem) String() string {
	return fmt.Sprintf("document %d: %s: %s", p.DocumentID, p.Problem, p.Detail)
}

// SetDocumentKind sets a document's kind and note.
func (t *Tx) SetDocumentKind(ctx context.Context, id int64, kind, note string) error {
	sealed, err := t.seal(note, "documents.note", rowKey(id))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE documents SET kind = $2, note = $3 WHERE id = $1`, id, kind, sealed)
	return documentChanged(res, err, "書類が見つかりません。")
}

// SetDocumentReview puts a document in the review queue with its reason.
func (t *Tx) SetDocumentReview(ctx context.Context, id int64, review, reason string) error {
	res, err := t.exec(ctx, `UPDATE documents SET review = $2, review_reason = $3 WHERE id = $1`, id, review, reason)
	return documentChanged(res, err, "書類が見つかりません。")
}

// EndedDocument is a live document on a card that left the office
// (handed over, cancelled or disposed of), with when it left.
type EndedDocument struct {
	DocumentRecord
	EndedAt    time.Time
	ProposedAt time.Time // a deletion proposed for retention; zero if none
	Proposer   string
}

// EndedDocuments lists the live documents of cards that were handed
// over, cancelled or disposed of, with the time the card last moved into
// that status: what retention counts from.
func (t *Tx) EndedDocuments(ctx context.Context) ([]EndedDocument, error) {
	rows, err := t.query(ctx, `SELECT `+documentColumnsAs("d.")+`, e.ended, d.disposal_proposed_at, d.disposal_proposer
		FROM documents d JOIN cards c ON c.id = d.card_id
		JOIN (SELECT card_id, MAX(at) AS ended FROM card_events WHERE to_status IN ('issued', 'cancelled', 'disposed') GROUP BY card_id) e
			ON e.card_id = d.card_id
		WHERE d.deleted_at IS NULL AND c.status IN ('issued', 'cancelled', 'disposed') ORDER BY e.ended, d.id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []EndedDocument
	for rows.Next() {
		var e EndedDocument
		var ended int64
		var proposed sql.NullInt64
		var extra extraScan
		extra.dest = []any{&ended, &proposed, &e.Proposer}
		d, err := t.scanDocument(extra.wrap(rows))
		if err != nil {
			return nil, err
		}
		e.DocumentRecord, e.EndedAt = d, fromMillis(ended)
		if proposed.Valid {
			e.ProposedAt = fromMillis(proposed.Int64)
		}
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

// extraScan scans a row's document columns and the columns after them.
type extraScan struct {
	row  interface{ Scan(...any) error }
	dest []any
}

func (x *extraScan) wrap(row interface{ Scan(...any) error }) *extraScan { x.row = row; return x }

func (x *extraScan) Scan(dest ...any) error { return x.row.Scan(append(dest, x.dest...)...) }

// ProposeDocumentDisposal records that by proposes deleting a document
// for its retention; a proposal already made stays as it was.
func (t *Tx) ProposeDocumentDisposal(ctx context.Context, id int64, by string, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE documents SET disposal_proposed_at = $2, disposal_proposer = $3
		WHERE id = $1 AND deleted_at IS NULL AND disposal_proposed_at IS NULL`, id, millis(at), by)
	return documentChanged(res, err, "書類が見つからないか、すでに削除が起案されています。")
}
