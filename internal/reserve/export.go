package reserve

import (
	"context"
	"io"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// exportColumns are the columns of a booking export: one row per person.
var exportColumns = []string{"予約番号", "日付", "開始", "終了", "窓口", "サービス", "受付", "予約の状態",
	"交付通知書番号", "氏名", "氏名カナ", "生年月日", "この方の状態", "電話番号", "来庁時刻"}

// maxExportDays bounds the range an export covers.
const maxExportDays = 366

// Export writes the bookings matching q (paging ignored) as CSV, a row per
// person, names with the city's 外字 table applied. Without any condition
// it is the day's bookings. The export and its conditions are recorded
// before the first row is written.
func (s *Service) Export(ctx context.Context, p auth.Principal, m auth.Meta, q SearchQuery, enc export.Encoding, w io.Writer) error {
	q.Limit, q.Offset = -1, 0
	if q.From == "" && q.To == "" && q.Code == "" && q.NoticeNumber == "" && q.Q == "" {
		st, err := s.Settings(ctx)
		if err != nil {
			return err
		}
		q.From = today(st, s.clock.Now())
		q.To = q.From
	}
	var table map[rune]string
	f, res, err := s.find(ctx, q, func(tx *store.Tx, f store.BookingSearch) (err error) {
		if err = checkExportRange(f); err == nil {
			table, err = tx.GaijiMap(ctx)
		}
		return err
	})
	if err != nil {
		return err
	}
	err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
		detail, err := searchDetail(tx, q, f, res)
		if err != nil {
			return err
		}
		detail["encoding"] = enc
		return staffActor(p, m).audit(ctx, tx, now, "booking.exported", "bookings", detail)
	})
	if err != nil {
		return err
	}
	return writeExport(export.NewWriter(w, enc), res.Bookings, table)
}

// checkExportRange bounds a range export; a search by code, notice number
// or name is bounded by what it names.
func checkExportRange(f store.BookingSearch) error {
	if f.From == "" || f.To == "" || f.Code != "" || f.ByCards {
		return nil
	}
	from, err1 := time.Parse(time.DateOnly, f.From)
	to, err2 := time.Parse(time.DateOnly, f.To)
	if err1 == nil && err2 == nil && to.Sub(from) > maxExportDays*24*time.Hour {
		var bad apperr.Fields
		bad.Addf("to", "書き出す期間は %d 日以内にしてください。", maxExportDays)
		return bad.Err(validationMessage)
	}
	return nil
}

func writeExport(out *export.Writer, bs []Booking, table map[rune]string) error {
	if err := out.Header(exportColumns); err != nil {
		return err
	}
	for _, b := range bs {
		for _, p := range b.People {
			if p.Status == store.PersonCancelled && b.Status != store.BookingCancelled {
				continue // taken out by a change: no longer part of the booking
			}
			if err := out.Row(exportRow(b, p, table)); err != nil {
				return err
			}
		}
	}
	return nil
}

func exportRow(b Booking, p store.BookingPerson, table map[rune]string) []string {
	loc := b.Location
	name, kana, birth := p.Name, p.NameKana, p.BirthDate
	if c := p.Card; c != nil {
		name, kana, birth = c.Name, c.NameKana, c.BirthDate
	}
	checkedIn := ""
	if !b.CheckedInAt.IsZero() {
		checkedIn = b.CheckedInAt.In(loc).Format("15:04")
	}
	return []string{FormatCode(b.Code), b.Date, b.Start.In(loc).Format("15:04"), b.End.In(loc).Format("15:04"),
		b.PlaceName, b.ServiceName, channelText(b.Channel), StatusLabel(b.Status), p.NoticeNumber,
		moji.ApplyGaiji(name, table), moji.ApplyGaiji(kana, table), birth, PersonStatusLabel(p.Status), b.Phone, checkedIn}
}

func channelText(ch string) string {
	switch booking.Channel(ch) {
	case booking.ChannelWeb:
		return "インターネット"
	case booking.ChannelPhone:
		return "電話"
	case booking.ChannelCounter:
		return "窓口"
	}
	return ch
}
