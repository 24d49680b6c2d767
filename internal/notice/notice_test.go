package notice_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

const site = "https://yoyaku.example.jp"

func tokyo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func staff() auth.Principal {
	return auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}
}
func meta() auth.Meta { return auth.Meta{IP: "192.0.2.1", RequestID: "req-1"} }

// newService returns the service with a clock stopped at 10:00 in Tokyo
// on day, the 外字 table {U+E000: 髙, U+E001: 剝 (not in CP932)}.
func newService(t testing.TB, db *store.DB, day string) *notice.Service {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, tokyo(t))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(d.Add(10 * time.Hour))
	wf := ledger.NewWorkflows(ledger.New(db, clk), tokyo(t))
	return notice.New(notice.Deps{DB: db, Clock: clk, Loc: tokyo(t), Ledger: wf, BaseURL: site,
		Gaiji: func(context.Context) (map[rune]string, error) {
			return map[rune]string{0xE000: "髙", 0xE001: "剝"}, nil
		},
		Bookings: func(context.Context) (booking.Settings, error) { return booking.DefaultSettings(), nil }})
}

type fixture struct {
	plain, unnumbered, mapped, unmapped, noPostal, atApp, sent store.CardRecord
}

// seedCards makes set-up cards of every kind a batch meets.
func seedCards(t *testing.T, db *store.DB) fixture {
	t.Helper()
	setup := card.StatusSetupDone
	var f fixture
	f.plain = ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-100001", Name: "三田　一郎", Status: setup, Delivery: "2026-03-01", Box: "B1"})
	f.unnumbered = ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Name: "北野　遥", Status: setup, Delivery: "2026-03-02", Box: "B1"})
	f.mapped = ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "C7Z-000123", Name: "\uE000橋　\uE001子", Status: setup, Delivery: "2026-03-03", Box: "B2", Gaiji: true})
	f.unmapped = ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Notice: "A1B-100004", Name: "\uE0FF田　守", Status: setup, Delivery: "2026-03-04", Box: "B2", Gaiji: true})
	rec := ledgertest.Seed{App: 5, Notice: "A1B-100005", Name: "西村　蓮", Status: setup, Delivery: "2026-03-05", Box: "B2"}.Record()
	rec.Resident.PostalCode = ""
	if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(t.Context(), &rec) }); err != nil {
		t.Fatal(err)
	}
	f.noPostal = rec
	f.atApp = ledgertest.MustCard(t, db, ledgertest.Seed{App: 6, Notice: "A1B-100006", Status: setup, Method: card.MethodAtApplication})
	f.sent = ledgertest.MustCard(t, db, ledgertest.Seed{App: 7, Notice: "A1B-100007", Status: card.StatusNoticeSent})
	return f
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// qrTexts rasterises a PDF and decodes every QR code on its pages.
func qrTexts(t *testing.T, path string) []string {
	t.Helper()
	dir := t.TempDir()
	tool(t, "pdftoppm", "-r", "150", "-gray", "-png", path, filepath.Join(dir, "page"))
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	var out []string
	for _, p := range pages {
		// zbarimg exits with 4 on a page without a code (the address side of a はがき).
		raw, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 4) {
			t.Fatalf("zbarimg %s: %v", p, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if line != "" {
				out = append(out, line)
			}
		}
	}
	slices.Sort(out)
	return out
}

func auditActions(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := db.View(t.Context(), func(tx *store.Tx) error {
		return tx.EachAudit(t.Context(), func(e audit.Entry) error { out = append(out, e.Action); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var noticePattern = regexp.MustCompile(`^[A-HJ-NP-Z0-9]{3}-[0-9]{6}$`)

// TestBatchPrintsLettersReadableByAClerkAndConfirmsOnce is the clerk's
// path: make a batch of the next cards, print the letters, read every
// name, notice number and booking URL back from the PDF's text and its
// QR codes, confirm the batch as sent, and fail to confirm it twice.
func TestBatchPrintsLettersReadableByAClerkAndConfirmsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := seedCards(t, db)
		svc := newService(t, db, "2026-04-06")
		b, err := svc.Create(ctx, staff(), meta(), notice.Selection{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if b.Cards != 3 || b.Held != 2 || b.Assigned != 1 {
			t.Fatalf("batch cards %d held %d assigned %d, want 3, 2, 1: %+v", b.Cards, b.Held, b.Assigned, b.HeldCards)
		}
		held := map[int64]string{}
		for _, h := range b.HeldCards {
			held[h.CardID] = h.Reason
		}
		if !strings.Contains(held[f.unmapped.ID], "外字表にない外字 U+E0FF") || !strings.Contains(held[f.noPostal.ID], "郵便番号がありません") {
			t.Fatalf("held reasons %v", held)
		}
		var numbered store.CardRecord
		db.View(ctx, func(tx *store.Tx) (err error) { numbered, err = tx.CardByID(ctx, f.unnumbered.ID); return err })
		if !noticePattern.MatchString(numbered.NoticeNumber) {
			t.Fatalf("assigned notice number %q", numbered.NoticeNumber)
		}

		var pdf bytes.Buffer
		res, err := svc.Letters(ctx, staff(), meta(), b.ID, &pdf)
		if err != nil || res.Printed != 3 || len(res.Held) != 0 {
			t.Fatalf("letters: %+v, %v", res, err)
		}
		path := writeTemp(t, "letters.pdf", pdf.Bytes())
		text := strings.Join(strings.Fields(tool(t, "pdftotext", "-layout", path, "-")), "")
		want := map[string]string{"三田一郎": "A1B-100001", "北野遥": numbered.NoticeNumber, "髙橋剝子": "C7Z-000123"}
		var urls []string
		for name, n := range want {
			if !strings.Contains(text, name) || !strings.Contains(text, n) {
				t.Errorf("letters lack %s / %s", name, n)
			}
			urls = append(urls, "HTTPS://YOYAKU.EXAMPLE.JP/N/"+n)
		}
		if !strings.Contains(text, site) || strings.Contains(text, "守") || strings.Contains(text, "西村") {
			t.Errorf("letters text: site URL missing or a held card printed")
		}
		slices.Sort(urls)
		if got := qrTexts(t, path); !slices.Equal(got, urls) {
			t.Errorf("QR codes %v, want %v", got, urls)
		}

		var labels bytes.Buffer
		if res, err := svc.Labels(ctx, staff(), meta(), b.ID, &labels); err != nil || res.Printed != 3 {
			t.Fatalf("labels: %+v, %v", res, err)
		}
		ltext := strings.Join(strings.Fields(tool(t, "pdftotext", writeTemp(t, "labels.pdf", labels.Bytes()), "-")), "")
		if !strings.Contains(ltext, "一郎様") || !strings.Contains(ltext, "〒669-1595") {
			t.Errorf("labels text %q", ltext)
		}

		conf, err := svc.Confirm(ctx, staff(), meta(), b.ID, "2026-04-06")
		if err != nil || conf.Done != 3 || len(conf.Skipped) != 0 || conf.Batch.SentDate != "2026-04-06" {
			t.Fatalf("confirm: %+v, %v", conf, err)
		}
		for _, id := range []int64{f.plain.ID, f.unnumbered.ID, f.mapped.ID} {
			var rec store.CardRecord
			db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByID(ctx, id); return err })
			if rec.Status != card.StatusNoticeSent {
				t.Errorf("card %d is %s after the confirmation", id, rec.Status)
			}
		}
		var still store.CardRecord
		db.View(ctx, func(tx *store.Tx) (err error) { still, err = tx.CardByID(ctx, f.unmapped.ID); return err })
		if still.Status != card.StatusSetupDone {
			t.Errorf("a held card moved to %s", still.Status)
		}
		if _, err := svc.Confirm(ctx, staff(), meta(), b.ID, "2026-04-06"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second confirmation: %v", err)
		}
		actions := auditActions(t, db)
		for _, a := range []string{"notice_batch.created", "card.notice_number_assigned", "notice_batch.letters_printed",
			"notice_batch.labels_printed", "card.notice_sent", "notice_batch.sent"} {
			if !slices.Contains(actions, a) {
				t.Errorf("audit log lacks %s: %v", a, actions)
			}
		}
	})
}

func TestBatchTakesOnlyCandidatesOutsideOpenBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := seedCards(t, db)
		svc := newService(t, db, "2026-04-06")
		_, err := svc.Create(ctx, staff(), meta(), notice.Selection{CardIDs: []int64{f.plain.ID, f.atApp.ID, f.sent.ID}})
		if fs := apperr.FieldsOf(err); len(fs) != 2 || fs[0].Field != "card_ids" {
			t.Fatalf("named non-candidates: %v %+v", err, fs)
		}
		b, err := svc.Create(ctx, staff(), meta(), notice.Selection{Box: "B1", Count: 5})
		if err != nil || b.Cards != 2 {
			t.Fatalf("box B1: %+v, %v", b, err)
		}
		_, err = svc.Create(ctx, staff(), meta(), notice.Selection{CardIDs: []int64{f.plain.ID}})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.FieldsOf(err)[0].Message, "まだ発送済みになっていません") {
			t.Fatalf("card in an open batch taken again: %v", err)
		}
		if _, err := svc.Create(ctx, staff(), meta(), notice.Selection{Box: "B1", Count: 5}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty selection: %v", err)
		}
	})
}

func TestMailMergeCSVNamesWhatCP932CannotHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seedCards(t, db)
		svc := newService(t, db, "2026-04-06")
		b, err := svc.Create(ctx, staff(), meta(), notice.Selection{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		var utf bytes.Buffer
		if err := svc.CSV(ctx, staff(), meta(), b.ID, export.UTF8, &utf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(utf.String()), "\r\n")
		if !strings.HasPrefix(lines[0], "\uFEFF発送分") || len(lines) != 4 || !strings.Contains(utf.String(), "HTTPS://YOYAKU.EXAMPLE.JP/N/C7Z-000123") {
			t.Fatalf("utf-8 csv:\n%s", utf.String())
		}
		var sjis bytes.Buffer
		if err := svc.CSV(ctx, staff(), meta(), b.ID, export.CP932, &sjis); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(sjis.Bytes(), []byte("U+525D")) {
			t.Fatalf("cp932 csv does not report the 剝 it could not write")
		}
	})
}

func TestTemplateWithUnknownPlaceholderIsRefusedWithItsField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(t, db, "2026-04-06")
		st := notice.DefaultSettings()
		st.Templates[notice.KindReminder] = notice.Template{Title: "再通知", Body: "{{氏名}} 様 {{生年月日}}"}
		err := svc.SaveSettings(t.Context(), staff(), meta(), st)
		fs := apperr.FieldsOf(err)
		if apperr.CodeOf(err).String() != "invalid_template" || len(fs) != 1 || fs[0].Field != "templates.reminder.body" || !strings.Contains(fs[0].Message, "{{生年月日}}") {
			t.Fatalf("saved a template with an unknown placeholder: %v %+v", err, fs)
		}
		st.Templates[notice.KindReminder] = notice.Template{Title: "再通知", Body: "{{氏名}} 様"}
		st.SiteURL = "https://city.example.jp/yoyaku"
		if err := svc.SaveSettings(t.Context(), staff(), meta(), st); err != nil {
			t.Fatal(err)
		}
		got, _ := svc.Settings(t.Context())
		if got.Templates[notice.KindReminder].Body != "{{氏名}} 様" || got.SiteURL != st.SiteURL {
			t.Fatalf("settings not saved: %+v", got)
		}
	})
}

func TestBookingURLPacksSchemeAndHostInUpperCase(t *testing.T) {
	for in, want := range map[string]string{
		"https://yoyaku.example.jp":      "HTTPS://YOYAKU.EXAMPLE.JP/N/A1B-123456",
		"https://yoyaku.example.jp/":     "HTTPS://YOYAKU.EXAMPLE.JP/N/A1B-123456",
		"https://city.example.jp/yoyaku": "HTTPS://CITY.EXAMPLE.JP/yoyaku/N/A1B-123456",
		"http://127.0.0.1:8080":          "HTTP://127.0.0.1:8080/N/A1B-123456",
		"":                               "",
	} {
		if got := notice.BookingURL(in, "A1B-123456"); got != want {
			t.Errorf("BookingURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPreviewDrawsTheTemplateAsTyped draws a sample on はがき (address
// side and message side) from settings not yet saved.
func TestPreviewDrawsTheTemplateAsTyped(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	svc := newService(t, db, "2026-04-06")
	st := notice.DefaultSettings()
	st.Paper = "hagaki"
	st.Templates[notice.KindGuide] = notice.Template{Title: "受け取りのご案内", Body: "{{氏名}} 様\n期限 {{受取期限}}\n{{通知番号}}"}
	var pdf bytes.Buffer
	if err := svc.Preview(t.Context(), st, notice.KindGuide, &pdf); err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "preview.pdf", pdf.Bytes())
	text := strings.Join(strings.Fields(tool(t, "pdftotext", path, "-")), "")
	if !strings.Contains(text, "見本太郎様") || !strings.Contains(text, "令和8年7月5日") || !strings.Contains(tool(t, "pdfinfo", path), "Pages:           2") {
		t.Fatalf("preview text %q", text)
	}
	if got := qrTexts(t, path); len(got) != 1 || got[0] != "HTTPS://YOYAKU.EXAMPLE.JP/N/A1B-123456" {
		t.Fatalf("preview QR %v", got)
	}
	if _, err := svc.Settings(t.Context()); err != nil {
		t.Fatal(err)
	}
}
