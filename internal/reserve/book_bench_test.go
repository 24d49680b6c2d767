package reserve_test

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkBook measures web bookings committed over many slots, as
// kofubench's "予約の確定" does (16 at once on 2 cores, one resident
// without a card each, the server's mailer), on each engine, beside
// "raw": single-row insert transactions on the same database, the
// baseline of the issue #8 target (booking ≥ 30% of raw on SQLite, ≥ 50%
// on PostgreSQL). tx/op and stmts/op count transactions and SQL
// statements per booking: unlike the times, they do not move with the
// load of a shared machine.
func BenchmarkBook(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.MustOpen(b, e)
			svc := reserve.New(db, clock.NewFixed(benchNow()))
			svc.SetMailer(mail.NewNotifier("https://kofu.example.jp"))
			st := benchSettings()
			if err := svc.SaveSettings(b.Context(), auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}, auth.Meta{}, st); err != nil {
				b.Fatal(err)
			}
			slots := windowSlots(b, st)
			var seq atomic.Int64
			b.Run("book", func(b *testing.B) {
				b.SetParallelism(8) // 16 goroutines on 2 cores, like kofubench
				before := db.Counts()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := int(seq.Add(1))
						sl := slots[(i*7919)%len(slots)]
						if _, _, err := svc.Book(b.Context(), auth.Meta{IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)},
							benchRequest(sl, i)); err != nil {
							b.Error(err)
							return
						}
					}
				})
				d := db.Counts().Sub(before)
				b.ReportMetric(float64(d.Transactions)/float64(b.N), "tx/op")
				b.ReportMetric(float64(d.Statements)/float64(b.N), "stmts/op")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			})
			b.Run("raw", func(b *testing.B) {
				raw := db.WritePool()
				id := "id INTEGER PRIMARY KEY"
				if e == store.Postgres {
					id = "id BIGSERIAL PRIMARY KEY"
				}
				if _, err := raw.ExecContext(b.Context(), `CREATE TABLE IF NOT EXISTS bench_raw_tx (`+id+
					`, place TEXT NOT NULL, start_at BIGINT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL)`); err != nil {
					b.Fatal(err)
				}
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for i := 0; pb.Next(); i++ {
						tx, err := raw.BeginTx(b.Context(), nil)
						if err != nil {
							b.Error(err)
							return
						}
						if _, err := tx.ExecContext(b.Context(), `INSERT INTO bench_raw_tx (place, start_at, name, created_at) VALUES ($1, $2, $3, $4)`,
							"p00", int64(i), "見本　太郎", time.Now().Unix()); err != nil {
							tx.Rollback()
							b.Error(err)
							return
						}
						if err := tx.Commit(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			})
		})
	}
}

// windowSlots lists every bookable start of the service cert_renewal at
// every place of st.
func windowSlots(b *testing.B, st booking.Settings) []benchSlot {
	loc, err := st.Location()
	if err != nil {
		b.Fatal(err)
	}
	first, last, err := st.Window(benchNow())
	if err != nil {
		b.Fatal(err)
	}
	var out []benchSlot
	for _, p := range st.Places {
		starts, err := st.ServiceStarts("cert_renewal", p.ID, first, last, loc)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range starts {
			if st.Bookable(s.Start, benchNow()) == nil {
				out = append(out, benchSlot{place: p.ID, start: s.Start})
			}
		}
	}
	return out
}

// benchRequest is the web booking of resident i (no card) at the slot.
func benchRequest(sl benchSlot, i int) reserve.CreateRequest {
	kana := []string{"ミホン", "タメシ", "ケンショウ", "サンプル", "ヨウレイ", "モデル", "テスト", "レイ"}
	return reserve.CreateRequest{Service: "cert_renewal", Place: sl.place, Start: sl.start.Format(time.RFC3339),
		Email: "bench@example.jp", People: []reserve.PersonInput{{Name: "見本　太郎",
			NameKana:  kana[(i/25_000)%len(kana)] + "　タロウ" + strconv.Itoa(i/200_000),
			BirthDate: time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%25_000).Format(time.DateOnly)}}}
}
