// Package filing is the documents service (issue #19): files kept on a
// card, sealed at rest in the database (store.InsertDocument), the
// scanner inbox that files a stack's pages by the codes printed on them,
// and retention. Every view and download of a document leaves an audit
// entry before anything is shown; every change is written with its entry
// in one transaction. The package holds no SQL and no HTTP: recognising,
// checking and reading files is internal/document's.
package filing

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/store"
)

// Stable error codes of the service (beside internal/document's).
var (
	CodeKind           = apperr.Define("document_kind", apperr.KindInvalid)            // an unknown kind
	CodeReasonRequired = apperr.Define("document_reason_required", apperr.KindInvalid) // a deletion without its reason
)

// Service carries out the documents' use cases.
type Service struct {
	db    *store.DB
	clock clock.Clock
	loc   *time.Location
	rules document.Rules
}

// New returns the service. rules read notice numbers and booking codes
// on scanned pages (ledger's and reserve's normalisers).
func New(db *store.DB, c clock.Clock, loc *time.Location, rules document.Rules) *Service {
	return &Service{db: db, clock: c, loc: loc, rules: rules}
}

// Document is a stored document as the API and the pages show it.
type Document struct {
	ID        int64     `json:"id"`
	CardID    int64     `json:"card_id,omitempty"`
	BookingID int64     `json:"booking_id,omitempty"`
	Kind      string    `json:"kind"`
	KindLabel string    `json:"kind_label"`
	Format    string    `json:"format"`
	MediaType string    `json:"media_type"`
	Pages     int       `json:"pages"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	FileName  string    `json:"file_name"`
	Note      string    `json:"note"`
	Source    string    `json:"source"`
	Review    string    `json:"review,omitempty"`
	Reason    string    `json:"review_reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

func documentOf(r store.DocumentRecord) Document {
	return Document{ID: r.ID, CardID: r.CardID, BookingID: r.BookingID, Kind: r.Kind, KindLabel: document.Kind(r.Kind).Label(),
		Format: r.Format, MediaType: document.Format(r.Format).MediaType(), Pages: r.Pages, Size: r.Size, SHA256: r.SHA256,
		FileName: r.FileName, Note: r.Note, Source: r.Source, Review: r.Review, Reason: r.ReviewReason,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
}

// DownloadName is the file name a download is offered under.
func (d Document) DownloadName() string {
	return "document-" + strconv.FormatInt(d.ID, 10) + document.Format(d.Format).Ext()
}

// Upload is a file sent to a card. Fields, when set, is called once the
// content was read and returns the form's fields (kind, note), including
// those a client sent after the file.
type Upload struct {
	Kind, Note string
	FileName   string
	Content    io.Reader
	Fields     func() (map[string]string, error)
}

// ParseKind reads a submitted kind.
func ParseKind(s string) (document.Kind, error) {
	k, ok := document.ParseKind(strings.TrimSpace(s))
	if !ok {
		labels := make([]string, 0, 6)
		for _, k := range document.Kinds() {
			labels = append(labels, string(k)+"（"+k.Label()+"）")
		}
		return "", apperr.New(CodeKind, "書類の種類を選んでください: "+strings.Join(labels, "、"))
	}
	return k, nil
}

// maxNote bounds a note's length in characters.
const maxNote = 500

// Upload stores a file on a card: recognised by its content (an SVG or an
// HTML page named .png is refused), within the size, page, pixel and
// day limits, sealed as it is read.
func (s *Service) Upload(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, u Upload) (Document, error) {
	return s.upload(ctx, p, m, u, func(ctx context.Context, tx *store.Tx, rec *store.DocumentRecord) error {
		_, err := tx.CardByID(ctx, cardID)
		rec.CardID = cardID
		return err
	})
}

// UploadToBooking stores a file on a booking as Upload does on a card. A
// booking that holds exactly one card files it on that card too, as the
// scanner inbox does with a booking's code.
func (s *Service) UploadToBooking(ctx context.Context, p auth.Principal, m auth.Meta, bookingID int64, u Upload) (Document, error) {
	return s.upload(ctx, p, m, u, func(ctx context.Context, tx *store.Tx, rec *store.DocumentRecord) error {
		b, err := tx.BookingByID(ctx, bookingID)
		if err != nil {
			return err
		}
		rec.BookingID, rec.CardID = b.ID, soleCard(b)
		return nil
	})
}

// soleCard is the card of a booking's only person with a card, or 0.
func soleCard(b store.Booking) int64 {
	var cards []int64
	for _, person := range b.People {
		if person.CardID != 0 {
			cards = append(cards, person.CardID)
		}
	}
	if len(cards) != 1 {
		return 0
	}
	return cards[0]
}

// upload stores u where place says (it checks the card or booking exists
// and sets the record's card and booking), with its audit entry.
func (s *Service) upload(ctx context.Context, p auth.Principal, m auth.Meta, u Upload,
	place func(context.Context, *store.Tx, *store.DocumentRecord) error) (Document, error) {
	if p.Role == auth.RoleViewer {
		return Document{}, apperr.New(apperr.Forbidden, "閲覧のみの利用者は書類を登録できません。")
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return Document{}, err
	}
	lim := set.Limits
	content, err := sniffed(u.Content, u.FileName, lim)
	if err != nil {
		return Document{}, err
	}
	var rec store.DocumentRecord
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		rec = store.DocumentRecord{FileName: u.FileName, Source: "upload", Kind: string(document.KindOther),
			CreatedAt: s.clock.Now(), CreatedBy: p.Username}
		if err := place(ctx, tx, &rec); err != nil {
			return err
		}
		used, err := tx.DocumentBytesSince(ctx, s.startOfDay())
		if err != nil {
			return err
		}
		if err := tx.InsertDocument(ctx, &rec, content, s.checker(used, u.FileName, lim)); err != nil {
			return err
		}
		if err := s.fields(ctx, tx, &rec, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.uploaded", documentTarget(rec.ID), placeDetail(rec, map[string]any{
			"kind": rec.Kind, "format": rec.Format, "pages": rec.Pages, "size": rec.Size, "sha256": rec.SHA256}))
	})
	return documentOf(rec), err
}

// checker refuses a file over the day's limit (used bytes taken in
// today) or one that is no accepted format within the limits, and reads
// the format and pages of the others.
func (s *Service) checker(used int64, fileName string, lim document.Limits) store.DocumentCheck {
	return func(r io.ReaderAt, size int64) (string, int, error) {
		if err := lim.CheckDay(used, size); err != nil {
			return "", 0, err
		}
		f, err := document.Open(r, size, fileName, lim)
		if err != nil {
			return "", 0, err
		}
		return string(f.Format), f.Pages(), nil
	}
}

// placeDetail adds a document's card and booking to an audit detail.
func placeDetail(rec store.DocumentRecord, detail map[string]any) map[string]any {
	detail["card_id"] = rec.CardID
	if rec.BookingID != 0 {
		detail["booking_id"] = rec.BookingID
	}
	return detail
}

// fields sets the kind and note given with an upload.
func (s *Service) fields(ctx context.Context, tx *store.Tx, rec *store.DocumentRecord, u Upload) error {
	kind, note := u.Kind, u.Note
	if u.Fields != nil {
		f, err := u.Fields()
		if err != nil {
			return err
		}
		kind, note = f["kind"], f["note"]
	}
	k, err := ParseKind(kind)
	if err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxNote {
		return apperr.New(apperr.Invalid, fmt.Sprintf("メモは %d 文字までです。", maxNote))
	}
	rec.Kind, rec.Note = string(k), note
	return tx.SetDocumentKind(ctx, rec.ID, rec.Kind, rec.Note)
}

// sniffed refuses at once a file that is none of the accepted formats,
// before anything is stored, and bounds the rest by the file size limit.
func sniffed(r io.Reader, name string, lim document.Limits) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, apperr.Wrap(apperr.Invalid, "ファイルを受け取れませんでした。もう一度送ってください。", err)
	}
	if len(head) == 0 {
		return nil, apperr.New(document.CodeCorrupt, "ファイルが空です。")
	}
	if _, ok := document.Sniff(head); !ok {
		_, err := document.Open(bytes.NewReader(head), int64(len(head)), name, lim)
		return nil, err
	}
	maxBytes := lim.MaxFileBytes
	if maxBytes <= 0 {
		maxBytes = document.DefaultLimits.MaxFileBytes
	}
	return &limited{r: br, left: maxBytes, lim: lim}, nil
}

// limited reads at most left bytes, then refuses the file as too large.
type limited struct {
	r    io.Reader
	left int64
	read int64
	lim  document.Limits
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.left {
		return n, l.lim.CheckSize(l.read)
	}
	return n, err
}

// List returns a card's documents; the card page's view is the audited read.
func (s *Service) List(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64) ([]Document, error) {
	return s.list(ctx, p, m, "card:"+strconv.FormatInt(cardID, 10), func(ctx context.Context, tx *store.Tx) ([]store.DocumentRecord, error) {
		if _, err := tx.CardByID(ctx, cardID); err != nil {
			return nil, err
		}
		return tx.CardDocuments(ctx, cardID)
	})
}

// ListBooking returns a booking's documents, an audited read as List.
func (s *Service) ListBooking(ctx context.Context, p auth.Principal, m auth.Meta, bookingID int64) ([]Document, error) {
	return s.list(ctx, p, m, "booking:"+strconv.FormatInt(bookingID, 10), func(ctx context.Context, tx *store.Tx) ([]store.DocumentRecord, error) {
		if _, err := tx.BookingByID(ctx, bookingID); err != nil {
			return nil, err
		}
		return tx.BookingDocuments(ctx, bookingID)
	})
}

func (s *Service) list(ctx context.Context, p auth.Principal, m auth.Meta, target string,
	read func(context.Context, *store.Tx) ([]store.DocumentRecord, error)) ([]Document, error) {
	out := []Document{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		recs, err := read(ctx, tx)
		for _, r := range recs {
			out = append(out, documentOf(r))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "document.listed", target, map[string]any{"documents": len(out)})
	})
	return out, err
}

// Get returns one document's details (not its content).
func (s *Service) Get(ctx context.Context, id int64) (Document, error) {
	var rec store.DocumentRecord
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		rec, err = live(ctx, tx, id)
		return err
	})
	return documentOf(rec), err
}

// View records that p looks at a document's details (kind, file name,
// note) and returns them: what the API's GET and the viewer page show.
// Get is for re-reading a document after an action that was audited.
func (s *Service) View(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Document, error) {
	if err := s.viewed(ctx, p, m, id, "document.viewed", nil); err != nil {
		return Document{}, err
	}
	return s.Get(ctx, id)
}

func live(ctx context.Context, tx *store.Tx, id int64) (store.DocumentRecord, error) {
	rec, err := tx.DocumentByID(ctx, id)
	if err == nil && rec.Deleted() {
		err = apperr.New(apperr.NotFound, "この書類は削除されています。")
	}
	return rec, err
}

// Content records that p downloads a document, then passes fn its
// original bytes (seekable, for range requests) within one read
// transaction. A blob that fails its seal fails the read where it is hit.
func (s *Service) Content(ctx context.Context, p auth.Principal, m auth.Meta, id int64, fn func(Document, io.ReadSeeker) error) error {
	if err := s.viewed(ctx, p, m, id, "document.downloaded", nil); err != nil {
		return err
	}
	return s.db.View(ctx, func(tx *store.Tx) error {
		rec, err := live(ctx, tx, id)
		if err != nil {
			return err
		}
		r, size, err := tx.DocumentContent(ctx, rec)
		if err != nil {
			return err
		}
		return fn(documentOf(rec), io.NewSectionReader(r, 0, size))
	})
}

// PageImage records that p views page (from 1) of a document and returns
// it as a JPEG fitting side × side pixels: thumbnails and the viewer's
// pages alike, since browsers show no TIFF.
func (s *Service) PageImage(ctx context.Context, p auth.Principal, m auth.Meta, id int64, page, side int) ([]byte, error) {
	if err := s.viewed(ctx, p, m, id, "document.viewed", map[string]any{"page": page}); err != nil {
		return nil, err
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = s.db.View(ctx, func(tx *store.Tx) error {
		rec, err := live(ctx, tx, id)
		if err != nil {
			return err
		}
		if page < 1 || page > rec.Pages {
			return apperr.New(apperr.NotFound, fmt.Sprintf("この書類は %d ページです。", rec.Pages))
		}
		r, size, err := tx.DocumentContent(ctx, rec)
		if err != nil {
			return err
		}
		f, err := document.Open(r, size, "", set.Limits)
		if err != nil {
			return err
		}
		img, err := f.Page(page - 1)
		if err != nil {
			return err
		}
		return document.Thumbnail(&out, img, f.Rotation(page-1), side)
	})
	return out.Bytes(), err
}

// viewed records a read of a document that exists.
func (s *Service) viewed(ctx context.Context, p auth.Principal, m auth.Meta, id int64, action string, detail map[string]any) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := live(ctx, tx, id)
		if err != nil {
			return err
		}
		if detail == nil {
			detail = map[string]any{}
		}
		return s.audit(ctx, tx, p, m, action, documentTarget(id), placeDetail(rec, detail))
	})
}

// Delete removes a document's content (admins), keeping the record of
// what it was, who deleted it and why.
func (s *Service) Delete(ctx context.Context, p auth.Principal, m auth.Meta, id int64, reason string) error {
	if p.Role != auth.RoleAdmin {
		return apperr.New(apperr.Forbidden, "書類を削除できるのは管理者だけです。")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.New(CodeReasonRequired, "削除の理由を入力してください。")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := live(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDocument(ctx, id, p.Username, reason, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.deleted", documentTarget(id), placeDetail(rec, map[string]any{
			"kind": rec.Kind, "sha256": rec.SHA256})) // the reason is kept sealed on the row
	})
}

func (s *Service) startOfDay() time.Time {
	now := s.clock.Now().In(s.loc)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

func documentTarget(id int64) string { return "document:" + strconv.FormatInt(id, 10) }
