package filing

import (
	"bytes"
	"context"
	"io"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/store"
)

// Attachment is a file Kofu made itself (the signature from the desk's
// tablet) to be kept on a card like any upload.
type Attachment struct {
	CardID, BookingID int64
	Kind              document.Kind
	FileName, Note    string
	Source            string // what made it, for the audit entry: "reception"
	Content           []byte
	// Limits bound the file on top of the city's (the smaller wins); Check,
	// when set, looks at the recognised file and may refuse it.
	Limits document.Limits
	Check  func(*document.File) error
}

// AttachTx stores a on its card within tx, the caller's transaction, so
// that the document and what refers to it are written together: sealed
// as it is read, within the city's day limit, recognised by its content,
// audited as document.uploaded. settings are the city's (Settings), read
// by the caller before the transaction.
func (s *Service) AttachTx(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, settings Settings, a Attachment) (Document, error) {
	lim := tighter(settings.Limits, a.Limits)
	if err := lim.CheckSize(int64(len(a.Content))); err != nil {
		return Document{}, err
	}
	used, err := tx.DocumentBytesSince(ctx, s.startOfDay())
	if err != nil {
		return Document{}, err
	}
	rec := store.DocumentRecord{CardID: a.CardID, BookingID: a.BookingID, Kind: string(a.Kind), FileName: a.FileName, Note: a.Note,
		CreatedAt: s.clock.Now(), CreatedBy: p.Username}
	err = tx.InsertDocument(ctx, &rec, bytes.NewReader(a.Content), func(r io.ReaderAt, size int64) (string, int, error) {
		if err := lim.CheckDay(used, size); err != nil {
			return "", 0, err
		}
		f, err := document.Open(r, size, a.FileName, lim)
		if err == nil && a.Check != nil {
			err = a.Check(f)
		}
		if err != nil {
			return "", 0, err
		}
		return string(f.Format), f.Pages(), nil
	})
	if err != nil {
		return Document{}, err
	}
	err = s.audit(ctx, tx, p, m, "document.uploaded", documentTarget(rec.ID), map[string]any{"card_id": a.CardID,
		"booking_id": a.BookingID, "kind": rec.Kind, "format": rec.Format, "pages": rec.Pages, "size": rec.Size,
		"sha256": rec.SHA256, "source": a.Source})
	return documentOf(rec), err
}

// tighter returns, field by field, the smaller of two limits (a zero
// field takes the other's).
func tighter(a, b document.Limits) document.Limits {
	pick64 := func(x, y int64) int64 {
		if x == 0 || (y != 0 && y < x) {
			return y
		}
		return x
	}
	pick := func(x, y int) int { return int(pick64(int64(x), int64(y))) }
	return document.Limits{MaxFileBytes: pick64(a.MaxFileBytes, b.MaxFileBytes), MaxDayBytes: pick64(a.MaxDayBytes, b.MaxDayBytes),
		MaxPages: pick(a.MaxPages, b.MaxPages), MaxSide: pick(a.MaxSide, b.MaxSide), MaxPixels: pick64(a.MaxPixels, b.MaxPixels)}
}

// DocumentBytes returns a document's original bytes within tx, for a
// caller that audited the read itself (the reception's signature view).
func DocumentBytes(ctx context.Context, tx *store.Tx, id int64) ([]byte, error) {
	rec, err := live(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	r, size, err := tx.DocumentContent(ctx, rec)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.NewSectionReader(r, 0, size))
}
