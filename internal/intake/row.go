package intake

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// run is one import in progress inside its transaction.
type run struct {
	svc      *Service
	tx       *store.Tx
	p        auth.Principal
	res      *Result
	now      time.Time
	progress func(int)
	gaiji    bool        // some row held 外字
	preview  *RowPreview // the rows as they will be stored, for a preview
}

// applyGaiji gives names with 外字 the search keys of the city's 外字 table,
// so they are found by the intended characters right after the import.
func (r *run) applyGaiji(ctx context.Context) error {
	if !r.gaiji {
		return nil
	}
	m, err := r.tx.GaijiMap(ctx)
	if err != nil {
		return err
	}
	return r.tx.RekeyGaijiResidents(ctx, func(s string) string { return moji.ApplyGaiji(s, m) })
}

// readAhead is how many decoded rows may wait for the database.
const readAhead = 256

// parsed is one result of the reader: a row or the error that ended it.
type parsed struct {
	row jlis.Row
	err error
}

// readRows decodes the file on its own goroutine, so parsing uses the
// second core while the first writes; it stops when ctx ends.
func readRows(ctx context.Context, rd *jlis.Reader) <-chan parsed {
	out := make(chan parsed, readAhead)
	go func() {
		defer close(out)
		for {
			row, err := rd.Next()
			select {
			case out <- parsed{row, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

// rows applies every row of the file, a chunk at a time.
func (r *run) rows(ctx context.Context, rd *jlis.Reader) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop() // a failed row ends the reader too
	size := r.svc.chunkSize()
	buf := make([]jlis.Row, 0, size)
	for p := range readRows(ctx, rd) {
		if errors.Is(p.err, io.EOF) {
			break
		}
		if p.err != nil {
			return p.err
		}
		if buf = append(buf, p.row); len(buf) == size {
			if err := r.chunk(ctx, buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.chunk(ctx, buf)
}

func (r *run) reject(row jlis.Row, column, code, reason string) {
	r.res.reject(Rejection{Line: row.Line, Column: column, Code: code, Reason: reason})
}

// noticeTaken reports whether another card already holds the notice number.
func (r *run) noticeTaken(ctx context.Context, notice string, cardID int64) (bool, error) {
	if notice == "" {
		return false, nil
	}
	other, err := r.tx.CardIDByNoticeNumber(ctx, notice)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil && other != cardID, err
}

func (r *run) rejectNotice(row jlis.Row) {
	r.reject(row, "交付通知書番号", "notice_number_taken", noticeTakenReason(row.NoticeNumber))
}

func noticeTakenReason(notice string) string {
	return "交付通知書番号 " + notice + " は別のカードに登録済みです"
}

func residentOf(row jlis.Row) store.Resident {
	return store.Resident{ResidentNumber: row.ResidentNumber, Name: row.Name, NameKana: row.Kana,
		BirthDate: row.BirthDate.String(), Sex: row.Sex, PostalCode: row.PostalCode, Address: row.Address, HasGaiji: row.HasGaiji}
}

func cardOf(row jlis.Row) store.Card {
	c := store.Card{NoticeNumber: row.NoticeNumber, IssueDate: dateOrEmpty(row.IssueDate), ExpiryDate: dateOrEmpty(row.Expiry),
		Certificate: row.Certificate, DeliveryDate: dateOrEmpty(row.DeliveryDate), Box: row.Box, Flags: []string{}}
	if row.HasGaiji {
		c.Flags = append(c.Flags, card.FlagGaiji)
	}
	return c
}

func dateOrEmpty(d jlis.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
