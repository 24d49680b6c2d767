package reserve_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// namedCards seeds cards 1..3 with names a search can tell apart.
func namedCards(t *testing.T, db *store.DB) {
	t.Helper()
	for i, n := range []struct{ name, kana string }{{"山田　花子", "ヤマダ　ハナコ"}, {"葛城　一郎", "カツラギ　イチロウ"}, {"=HYPERLINK(\"x\")", "イコール"}} {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Notice: notice(i + 1), Birth: birth(i + 1), Status: card.StatusNoticeSent,
			Name: n.name, Kana: n.kana})
	}
}

func codes(bs []reserve.Booking) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Code)
	}
	return strings.Join(out, " ")
}

func TestSearchFindsBookingsAcrossDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		namedCards(t, db)
		first, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		second, _ := f.mustBook(t, pickup(t, "2026-12-02 10:00", 2))
		third, _, err := f.svc.StaffBook(t.Context(), staff, f.meta, booking.ChannelPhone, pickup(t, "2026-12-03 09:00", 3))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			q    reserve.SearchQuery
			want string
		}{
			{"code with hyphen", reserve.SearchQuery{Code: reserve.FormatCode(second.Code)}, second.Code},
			{"code without hyphen, lower case", reserve.SearchQuery{Code: strings.ToLower(second.Code)}, second.Code},
			{"notice number as typed", reserve.SearchQuery{NoticeNumber: strings.ToLower(strings.ReplaceAll(notice(1), "-", ""))}, first.Code},
			{"name in kanji", reserve.SearchQuery{Q: "葛城"}, second.Code},
			{"name in half-width kana", reserve.SearchQuery{Q: "ﾊﾅｺ"}, first.Code},
			{"date range", reserve.SearchQuery{From: "2026-12-02", To: "2026-12-03"}, second.Code + " " + third.Code},
			{"place and status", reserve.SearchQuery{Place: "main", Statuses: []string{store.BookingBooked}}, first.Code + " " + second.Code + " " + third.Code},
			{"a name nobody has", reserve.SearchQuery{Q: "存在しない"}, ""},
		} {
			res, err := f.svc.Search(t.Context(), staff, f.meta, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := codes(res.Bookings); got != c.want || res.Total != len(res.Bookings) {
				t.Errorf("%s: got %q (total %d), want %q", c.name, got, res.Total, c.want)
			}
		}
		_, err = f.svc.Search(t.Context(), staff, f.meta, reserve.SearchQuery{Code: "ABCD-EFG0", From: "2026-13-01"})
		wantCode(t, err, apperr.Invalid)

		// The audit keeps the typed name sealed.
		err = db.View(t.Context(), func(tx *store.Tx) error {
			n, err := tx.SearchAudit(t.Context(), store.AuditFilter{Action: "booking.searched"}, func(e audit.Entry) error {
				if strings.Contains(e.Detail, "葛城") || strings.Contains(e.Detail, notice(1)) {
					t.Errorf("the audit entry shows a typed name or number: %s", e.Detail)
				}
				return nil
			})
			if n != 8 {
				t.Errorf("searches audited: %d", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestDetailAndCardBookings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		namedCards(t, db)
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2))
		moved, err := f.svc.StaffChange(t.Context(), staff, f.meta, b.ID, reserve.ChangeRequest{
			Start: ptr(jst(t, "2026-12-04 13:00").Format(time.RFC3339))}, reserve.Override{})
		if err != nil || moved.Code != b.Code || moved.Date != "2026-12-04" {
			t.Fatalf("move keeps the code: %v %+v", err, moved.Booking)
		}
		d, err := f.svc.StaffDetail(t.Context(), staff, f.meta, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range d.History {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); got != "booking.changed booking.created" {
			t.Errorf("history: %s", got)
		}
		cards, err := f.svc.CardBookings(t.Context(), staff, f.meta, b.People[1].CardID)
		if err != nil || len(cards) != 1 || cards[0].ID != b.ID || cards[0].Date != "2026-12-04" {
			t.Fatalf("card bookings: %v %+v", err, cards)
		}
		if got := f.auditActions(t, "booking.listed_for_card"); len(got) != 1 {
			t.Errorf("the read for the card page is audited: %v", got)
		}
		if _, err := f.svc.StaffCancel(t.Context(), staff, f.meta, b.ID, reserve.Override{}); err != nil {
			t.Fatal(err)
		}
		if cards, err := f.svc.CardBookings(t.Context(), staff, f.meta, b.People[1].CardID); err != nil || len(cards) != 0 {
			t.Fatalf("a cancelled booking is no longer the card's: %v %+v", err, cards)
		}
	})
}

func TestExportWritesARowPerPersonNeutralised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		namedCards(t, db)
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 3))
		f.mustBook(t, pickup(t, "2026-12-07 09:00", 2))
		var out bytes.Buffer
		if err := f.svc.Export(t.Context(), staff, f.meta, reserve.SearchQuery{From: "2026-12-01", To: "2026-12-01"}, export.UTF8, &out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !strings.HasPrefix(text, moji.BOM) || strings.Count(text, reserve.FormatCode(b.Code)) != 2 ||
			!strings.Contains(text, "山田　花子") || strings.Contains(text, "葛城") || !strings.Contains(text, "'=HYPERLINK") {
			t.Fatalf("export:\n%s", text)
		}
		out.Reset()
		if err := f.svc.Export(t.Context(), staff, f.meta, reserve.SearchQuery{From: "2026-12-01", To: "2026-12-31"}, export.CP932, &out); err != nil {
			t.Fatal(err)
		}
		decoded, _, err := moji.DecodeCP932(out.Bytes())
		if err != nil || !strings.Contains(decoded, "葛城　一郎") {
			t.Fatalf("CP932 export: %v\n%s", err, decoded)
		}
		err = f.svc.Export(t.Context(), staff, f.meta, reserve.SearchQuery{From: "2026-01-01", To: "2027-12-31"}, export.UTF8, &out)
		wantCode(t, err, apperr.Invalid)
		if got := f.auditActions(t, "booking.exported"); len(got) != 2 {
			t.Errorf("exports audited: %v", got)
		}
	})
}
