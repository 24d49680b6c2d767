package reception_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

var (
	staff  = auth.Principal{UserID: 7, Username: "kofu-tanaka", Role: auth.RoleStaff}
	admin  = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
	viewer = auth.Principal{UserID: 9, Username: "kofu-viewer", Role: auth.RoleViewer}
	meta   = auth.Meta{IP: "192.0.2.10", RequestID: "req-1"}
)

func jst(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, _ := time.LoadLocation("Asia/Tokyo")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// fixture: a card booked on Friday 2026-11-20 for Tuesday 2026-12-01,
// whose day the test then lives.
type fixture struct {
	db     *store.DB
	clock  *clock.Fixed
	res    *reserve.Service
	filing *filing.Service
	svc    *reception.Service
	card   store.CardRecord
	b      reserve.Booking
}

const (
	residentName = "蘭丸　鷺子"
	visibleBox   = "署名確認用の箱-81" // stored as it is: proves the files were read
)

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: clock.NewFixed(jst(t, "2026-11-20 10:00"))}
	f.res = reserve.New(db, f.clock)
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 10000
	if err := f.res.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	f.filing = filing.New(db, f.clock, tokyo, filing.CodeRules())
	f.svc = reception.New(reception.Deps{DB: db, Clock: f.clock, Filing: f.filing, Bookings: f.res.Settings})
	f.card = ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "REC-000001", Birth: "1980-04-01", Status: card.StatusNoticeSent,
		Name: residentName, Kana: "ランマル　サギコ", Box: visibleBox, Storage: "A棚-1"})
	b, _, err := f.res.Book(t.Context(), meta, reserve.CreateRequest{Service: "pickup", Place: "main",
		Start: jst(t, "2026-12-01 10:00").Format(time.RFC3339), Email: "saginomiya@example.jp",
		People: []reserve.PersonInput{{NoticeNumber: "REC-000001", BirthDate: "1980-04-01"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.b = b
	f.clock.Advance(jst(t, "2026-12-01 10:05").Sub(f.clock.Now()))
	return f
}

func (f *fixture) personID() int64 { return f.b.People[0].ID }

// signature draws a signature-like stroke in black on a transparent
// canvas, with a line of random pixels so that its compressed bytes are
// unique to the test run.
func signature(t *testing.T, w, h int, seed uint64) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 20; x < w-20; x++ {
		y := h/2 + int(float64(h/4)*sinApprox(float64(x)/30))
		for d := -2; d <= 2; d++ {
			img.Set(x, y+d, color.NRGBA{A: 255})
		}
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for x := range w {
		img.Set(x, h-3, color.NRGBA{R: uint8(r.UintN(256)), G: uint8(r.UintN(256)), B: uint8(r.UintN(256)), A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sinApprox is a cheap wave (Bhaskara's approximation), enough for a stroke.
func sinApprox(x float64) float64 {
	for x > 2 {
		x -= 2
	}
	s := 1.0
	if x > 1 {
		x, s = x-1, -1
	}
	d := x * 180
	return s * 4 * d * (180 - d) / (40500 - d*(180-d))
}

func blank(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func allTicks() []string {
	var out []string
	for _, it := range reception.Items() {
		out = append(out, it.Key)
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// actions lists the audit log's actions in order.
func actions(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := db.View(context.Background(), func(tx *store.Tx) error {
		return tx.EachAudit(context.Background(), func(e audit.Entry) error { out = append(out, e.Action); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
