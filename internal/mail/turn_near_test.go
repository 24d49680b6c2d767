package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var clerk = counter.StaffActor(auth.Principal{UserID: 7, Username: "kofu-tanaka", Role: auth.RoleStaff}, auth.Meta{IP: "192.0.2.10"})

// counterOn is a counter service on db that queues its mails through the
// notifier, as the server builds it.
func (e *env) counterOn(db *store.DB) *counter.Service {
	return counter.New(counter.Deps{DB: db, Clock: e.clock, Bookings: e.svc.Settings, Key: []byte("test key"),
		Mailer: mail.NewNotifier("https://yoyaku.example.lg.jp/")})
}

func openSecond(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestTurnNearMailGoesOnceWhenFewAreAhead: residents who booked with an
// address ask on their ticket's page for a mail; desks on two instances
// call the queue empty at once; each asking ticket gets exactly one mail,
// in its booking's language, naming only the ticket, the place and the
// wait link (issue #17 item 5).
func TestTurnNearMailGoesOnceWhenFewAreAhead(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.MustDSN(t, engine)
			one, two := openSecond(t, dsn), openSecond(t, dsn)
			e := newEnv(t, one)
			st := booking.DefaultSettings()
			st.PublicRateLimitPerMinute = 10000
			st.Places[0].NameEN = "City Hall, Citizens Division"
			if err := e.svc.SaveSettings(t.Context(), admin, e.meta, st); err != nil {
				t.Fatal(err)
			}
			var bookings []reserve.Booking
			for i := 1; i <= 6; i++ {
				req := reserve.CreateRequest{Service: "pickup", Place: "main", Start: e.jst(t, "2026-12-01 "+[]string{"10:00", "10:30", "11:00", "11:30", "14:00", "14:30"}[i-1]),
					Email: fmt.Sprintf("r%d@example.jp", i), People: []reserve.PersonInput{{NoticeNumber: notice(i), BirthDate: birth(i)}}}
				if i == 5 {
					req.Lang = "en"
				}
				b, _, err := e.svc.Book(t.Context(), e.meta, req)
				if err != nil {
					t.Fatal(err)
				}
				bookings = append(bookings, b)
			}
			svc1, svc2 := e.counterOn(one), e.counterOn(two)
			cs := counter.DefaultSettings()
			cs.EarlyMinutes, cs.NearMailAhead = 0, 2
			if err := svc1.SaveSettings(t.Context(), clerk, cs); err != nil {
				t.Fatal(err)
			}
			e.at(t, "2026-12-01 09:00")
			tickets := map[string]counter.Ticket{}
			for _, b := range bookings {
				tk, _, err := svc1.CheckIn(t.Context(), clerk, b.Code, "main")
				if err != nil {
					t.Fatal(err)
				}
				tickets[tk.Number] = tk
			}
			status := func(n string) counter.Status {
				t.Helper()
				s, err := svc2.Follow(t.Context(), tickets[n].Follow)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			if s := status("A002"); s.NearMail != "" {
				t.Fatalf("A002 has 1 ahead, within 2: the page offers nothing, got %q", s.NearMail)
			}
			if s := status("A004"); s.NearMail != "offer" || s.NearAhead != 2 {
				t.Fatalf("A004 has 3 ahead: the page offers the mail, got %+v", s)
			}
			// A002 asks anyway (its page was older): the mail goes at once.
			for _, n := range []string{"A002", "A004", "A005", "A006", "A004"} {
				if err := svc2.AskNearMail(t.Context(), e.meta, tickets[n].Follow); err != nil {
					t.Fatalf("ask %s: %v", n, err)
				}
			}
			if s := status("A004"); s.NearMail != store.NearMailAsked {
				t.Fatalf("A004 after asking: %q", s.NearMail)
			}
			if got := len(turnNear(e.outbox(t, ""))); got != 1 {
				t.Fatalf("before any call %d mails are queued, want A002's only", got)
			}
			var wg sync.WaitGroup
			for d := range 4 {
				svc := []*counter.Service{svc1, svc2}[d%2]
				wg.Go(func() {
					for {
						_, err := svc.CallNext(context.Background(), clerk, "main", fmt.Sprint(d+1))
						if apperr.Is(err, counter.CodeQueueEmpty) {
							return
						}
						if err != nil {
							t.Errorf("desk %d: %v", d+1, err)
							return
						}
					}
				})
			}
			wg.Wait()
			queued := turnNear(e.outbox(t, ""))
			keys := map[string]bool{}
			for _, m := range queued {
				keys[m.DedupeKey] = true
			}
			if len(queued) != 4 || len(keys) != 4 {
				t.Fatalf("queued %d mails (%d tickets), want one each for A002, A004, A005, A006", len(queued), len(keys))
			}
			e.run(t, mail.Report{Sent: len(e.outbox(t, store.MailPending))})
			got := map[string]string{}
			for _, r := range e.sink.Messages() {
				m := mustParse(t, r)
				if strings.Contains(m.Subject, "まもなく順番") || strings.Contains(m.Subject, "turn is near") {
					got[r.To] = m.Subject + "\n" + m.Body
				}
			}
			if len(got) != 4 {
				t.Fatalf("the sink has %d turn mails, want 4: %v", len(got), got)
			}
			for i, n := range map[int]string{2: "A002", 4: "A004", 5: "A005", 6: "A006"} {
				body := got[fmt.Sprintf("r%d@example.jp", i)]
				place, near := "市役所本庁 市民課", "まもなく順番です"
				if i == 5 {
					place, near = "City Hall, Citizens Division", "Your turn at the counter is near"
				}
				for _, want := range []string{n, place, near, "https://yoyaku.example.lg.jp/wait/" + tickets[n].Follow} {
					if !strings.Contains(body, want) {
						t.Errorf("%s's mail lacks %q:\n%s", n, want, body)
					}
				}
				b := bookings[i-1]
				for _, secret := range []string{"秘密", notice(i), b.Code, reserve.FormatCode(b.Code), "12月1日"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s's mail shows %q:\n%s", n, secret, body)
					}
				}
			}
		})
	}
}

// TestTurnNearMailIsOffByDefault: without the setting the page offers no
// mail and asking is refused.
func TestTurnNearMailIsOffByDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b, _ := e.book(t, "2026-12-01 10:00", 1)
		b2, _ := e.book(t, "2026-12-01 10:30", 2)
		svc := e.counterOn(db)
		e.at(t, "2026-12-01 09:30")
		if _, _, err := svc.CheckIn(t.Context(), clerk, b.Code, "main"); err != nil {
			t.Fatal(err)
		}
		tk, _, err := svc.CheckIn(t.Context(), clerk, b2.Code, "main")
		if err != nil {
			t.Fatal(err)
		}
		s, err := svc.Follow(t.Context(), tk.Follow)
		if err != nil || s.NearMail != "" {
			t.Fatalf("follow: %+v %v", s, err)
		}
		if err := svc.AskNearMail(t.Context(), e.meta, tk.Follow); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("asking with the setting off: %v", err)
		}
		if err := svc.AskNearMail(t.Context(), e.meta, tk.Follow+"x"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("asking with a wrong token: %v", err)
		}
	})
}

func turnNear(ms []store.MailMessage) []store.MailMessage {
	var out []store.MailMessage
	for _, m := range ms {
		if m.Kind == string(mail.KindTurnNear) {
			out = append(out, m)
		}
	}
	return out
}
