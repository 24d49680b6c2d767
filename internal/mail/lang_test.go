package mail_test

import (
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A booking made in English gets its mails and calendar entry in English,
// with the names the settings give the place and the service in English;
// a Japanese booking is unchanged (issue #21 item 6).
func TestMailsFollowTheBookingsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := booking.DefaultSettings()
		st.PublicRateLimitPerMinute = 10000
		st.ContactPhone = "000-111-2222"
		st.Places[0].NameEN = "City Hall, Citizens Division (1F)"
		st.Services[0].NameEN = "My Number Card pickup"
		if err := e.svc.SaveSettings(t.Context(), admin, e.meta, st); err != nil {
			t.Fatal(err)
		}
		req := reserve.CreateRequest{Service: "pickup", Place: "main", Start: e.jst(t, "2026-12-01 10:00"), Email: "en@example.jp", Lang: "en",
			People: []reserve.PersonInput{{NoticeNumber: notice(1), BirthDate: birth(1)}}}
		b, _, err := e.svc.Book(t.Context(), e.meta, req)
		if err != nil {
			t.Fatal(err)
		}
		if b.Lang != "en" {
			t.Fatalf("stored language %q", b.Lang)
		}
		ja, _ := e.book(t, "2026-12-01 10:30", 2)
		e.run(t, mail.Report{Sent: 2})
		var en, jp *string
		for _, r := range e.sink.Messages() {
			m := mustParse(t, r)
			body := m.Subject + "\n" + m.Body + "\n" + m.ICS
			switch r.To {
			case "en@example.jp":
				en = &body
			case "taro@example.jp":
				jp = &body
			}
		}
		if en == nil || jp == nil {
			t.Fatal("both mails must arrive")
		}
		for _, want := range []string{"Booking confirmed: My Number Card pickup", "Tue 1 Dec 2026 10:00", "City Hall, Citizens Division (1F)",
			"Sat 28 Nov 2026 23:59", "Booking code: " + reserve.FormatCode(b.Code), "LOCATION:City Hall\\, Citizens Division (1F)"} {
			if !strings.Contains(*en, want) {
				t.Errorf("the English mail lacks %q:\n%s", want, *en)
			}
		}
		if strings.Contains(*en, "予約番号") || strings.Contains(*en, "人数") || strings.Contains(*en, "日時") {
			t.Errorf("the English mail has Japanese labels:\n%s", *en)
		}
		for _, want := range []string{"予約完了", "マイナンバーカードの受け取り", "市役所本庁 市民課", reserve.FormatCode(ja.Code), "2026年11月28日（土） 23:59"} {
			if !strings.Contains(*jp, want) {
				t.Errorf("the Japanese mail lacks %q:\n%s", want, *jp)
			}
		}
		req.Lang = "fr"
		if _, _, err := e.svc.Book(t.Context(), e.meta, req); err == nil {
			t.Fatal("an unknown language is refused")
		}
	})
}
