package intake

import (
	"context"
	"errors"
	"fmt"
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
	gaiji    bool // some row held 外字
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

// rows applies every row of the file.
func (r *run) rows(ctx context.Context, rd *jlis.Reader) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop() // a failed row ends the reader too
	for p := range readRows(ctx, rd) {
		row, err := p.row, p.err
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r.res.Rows++
		if err := r.row(ctx, row); err != nil {
			return fmt.Errorf("%d 行目: %w", row.Line, err)
		}
		if r.progress != nil && r.res.Rows%progressEvery == 0 {
			r.progress(r.res.Rows)
		}
		if r.svc.rowHook != nil {
			if err := r.svc.rowHook(row.Line); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

func (r *run) reject(row jlis.Row, column, code, reason string) {
	r.res.Rejected = append(r.res.Rejected, Rejection{Line: row.Line, Column: column, Code: code, Reason: reason})
}

// row creates the card, updates it, or leaves it as it is.
func (r *run) row(ctx context.Context, row jlis.Row) error {
	r.gaiji = r.gaiji || row.HasGaiji
	if len(row.Problems) > 0 {
		for _, p := range row.Problems {
			r.reject(row, p.Column, p.Code, p.Reason)
		}
		return nil
	}
	id, err := r.tx.CardIDByApplicationID(ctx, row.ApplicationID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return r.create(ctx, row)
	case err != nil:
		return err
	}
	existing, err := r.tx.CardByID(ctx, id)
	if err != nil {
		return err
	}
	return r.update(ctx, row, existing)
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
	r.reject(row, "交付通知書番号", "notice_number_taken", "交付通知書番号 "+row.NoticeNumber+" は別のカードに登録済みです")
}

func (r *run) create(ctx context.Context, row jlis.Row) error {
	if taken, err := r.noticeTaken(ctx, row.NoticeNumber, 0); err != nil || taken {
		if taken {
			r.rejectNotice(row)
		}
		return err
	}
	rec := store.CardRecord{Resident: residentOf(row), Application: store.Application{ApplicationID: row.ApplicationID,
		Method: card.Method(row.Method)}}
	rec.Card = cardOf(row)
	rec.Status, rec.CreatedAt, rec.RawRow = card.StatusArrived, r.now, row.Raw
	if row.ResidentNumber != "" {
		known, err := r.tx.ResidentByNumber(ctx, row.ResidentNumber)
		if err == nil {
			rec.Resident.ID = known.ID // a new application of a person the ledger knows
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	if err := r.tx.InsertCardRecord(ctx, &rec); err != nil {
		return err
	}
	r.res.Created++
	return r.tx.InsertCardEvent(ctx, &store.CardEvent{CardID: rec.ID, At: r.now, ActorID: r.p.UserID, Actor: r.p.Username,
		Kind: store.EventImport, ToStatus: card.StatusArrived, Reason: "J-LIS 納品データの取込 (" + r.res.FileName + ")"})
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
