package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// demoCards is how many fictional cards the demo city holds.
const demoCards = 500

var (
	familyNames = []struct{ kanji, kana string }{
		{"三輪", "ミワ"}, {"髙橋", "タカハシ"}, {"山﨑", "ヤマサキ"}, {"佐藤", "サトウ"}, {"鈴木", "スズキ"},
		{"田中", "タナカ"}, {"渡邊", "ワタナベ"}, {"伊藤", "イトウ"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
		{"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"},
	}
	givenNames = []struct{ kanji, kana string }{
		{"太郎", "タロウ"}, {"花子", "ハナコ"}, {"翔太", "ショウタ"}, {"美咲", "ミサキ"}, {"健一", "ケンイチ"},
		{"陽菜", "ヒナ"}, {"大輔", "ダイスケ"}, {"結衣", "ユイ"}, {"直美", "ナオミ"}, {"隆", "タカシ"},
	}
	towns = []string{"三輪", "東本庄", "けやき台", "ゆりのき台", "富士が丘", "狭間が丘", "天神", "駅前町"}
	// demoRemarks are the staff remarks (備考) of some demo cards: the kind
	// of personal note a ledger holds, sealed like the names.
	demoRemarks = []string{"", "", "", "", "", "", "", "", "", "", "", "",
		"本人は車椅子を利用、1階窓口で交付", "代理人（長女）が受取予定", "電話で来庁日を調整中（平日午後のみ）",
		"通知書を紛失したと電話あり、再送を検討"}
)

// SeedCards fills an empty ledger with fictional cards in every status, so
// the demo shows search, the card page and every transition at once. A
// ledger that already has cards is left alone.
func SeedCards(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(2026, 11))
	statuses := card.AllStatuses()
	created := 0
	err := db.Update(ctx, func(tx *store.Tx) error {
		if _, n, err := tx.SearchCards(ctx, store.CardFilter{Limit: 1}); err != nil || n > 0 {
			return err
		}
		for i := range demoCards {
			rec := demoCard(rng, i, statuses[i%len(statuses)], now)
			if err := tx.InsertCardRecord(ctx, &rec); err != nil {
				return fmt.Errorf("demo card %d: %w", i, err)
			}
			if err := seedEvents(ctx, tx, rec, i, now); err != nil {
				return err
			}
			if err := seedHistory(ctx, tx, rec, i, now); err != nil {
				return fmt.Errorf("demo card %d: %w", i, err)
			}
			created++
		}
		return nil
	})
	return created, err
}

// demoZone is the demo city's time zone (Japan has no daylight saving).
func demoZone() *time.Location { return time.FixedZone("JST", 9*60*60) }

// seedEvents records how a demo card entered the ledger. An issued card
// enters reserved and is handed over on one of the last four weeks, so the
// dashboard's charts and the day's issued list have handovers to show.
func seedEvents(ctx context.Context, tx *store.Tx, rec store.CardRecord, i int, now time.Time) error {
	ev := store.CardEvent{CardID: rec.ID, At: now, Actor: "demo", Kind: store.EventImport, ToStatus: rec.Status,
		Reason: "デモ用の架空データ"}
	if rec.Status != card.StatusIssued {
		return tx.InsertCardEvent(ctx, &ev)
	}
	ev.At, ev.ToStatus = now.AddDate(0, 0, -30), card.StatusReserved
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	// Office hours on a weekday in the demo city's zone, never later than now.
	zone := demoZone()
	local := now.In(zone).AddDate(0, 0, -(i/5)%28)
	at := time.Date(local.Year(), local.Month(), local.Day(), 9+i%7, 10*(i%6), 0, 0, zone)
	if at.After(now) {
		at = at.AddDate(0, 0, -1)
	}
	switch at.Weekday() { // the office is closed at weekends
	case time.Saturday:
		at = at.AddDate(0, 0, -1)
	case time.Sunday:
		at = at.AddDate(0, 0, -2)
	}
	handed := store.CardEvent{CardID: rec.ID, At: at,
		Actor: "demo", Kind: store.EventStatus, FromStatus: card.StatusReserved, ToStatus: card.StatusIssued,
		Reason: "交付（本人） デモ用の架空データ"}
	return tx.InsertCardEvent(ctx, &handed)
}

// demoCard makes one consistent card: a status that belongs to its method,
// a notice only where notices exist, a reason where one is needed.
func demoCard(rng *rand.Rand, i int, status card.Status, now time.Time) store.CardRecord {
	method := card.MethodCounter
	if !status.AppliesTo(method) {
		method = card.MethodAtApplication
	}
	fam, giv := familyNames[rng.IntN(len(familyNames))], givenNames[rng.IntN(len(givenNames))]
	birth := time.Date(1940+rng.IntN(80), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	delivery := now.AddDate(0, 0, -rng.IntN(120))
	c := store.CardRecord{
		Resident: store.Resident{ResidentNumber: fmt.Sprintf("9%09d", i+1), Name: fam.kanji + "　" + giv.kanji,
			NameKana: fam.kana + "　" + giv.kana, BirthDate: birth.Format("2006-01-02"), Sex: []string{"male", "female"}[rng.IntN(2)],
			PostalCode: "669-15" + fmt.Sprintf("%02d", rng.IntN(100)), Address: fmt.Sprintf("兵庫県デモ市%s%d丁目%d番%d号", towns[rng.IntN(len(towns))], 1+rng.IntN(5), 1+rng.IntN(30), 1+rng.IntN(20))},
		Application: store.Application{ApplicationID: fmt.Sprintf("9%022d", i+1), Method: method, FastTrack: i%37 == 0},
	}
	c.Card = store.Card{IssueDate: delivery.AddDate(0, 0, -7).Format("2006-01-02"),
		ExpiryDate: delivery.AddDate(10, 0, 0).Format("2006-01-02"), Certificate: ptr(i%9 != 0),
		DeliveryDate: delivery.Format("2006-01-02"), Box: fmt.Sprintf("D%03d", i/50), Status: status, Flags: []string{},
		StorageLocation: demoLocation(i), CreatedAt: now}
	c.Resident.Remarks = demoRemarks[i%len(demoRemarks)]
	if method == card.MethodCounter {
		c.NoticeNumber = fmt.Sprintf("D%c%d-%06d", 'A'+rune(i%26), i%10, 100000+i)
	}
	switch status {
	case card.StatusCancelled:
		c.CancelReason = card.AllCancelReasons()[i%len(card.AllCancelReasons())]
	case card.StatusOnHold:
		c.HeldFrom = card.StatusNoticeSent
		if method == card.MethodAtApplication {
			c.HeldFrom = card.StatusSetupDone
		}
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// Samples returns n fictional cards waiting for pickup without a booking,
// whose notice numbers and birth dates the demo's top page shows.
func Samples(ctx context.Context, db *store.DB, n int) ([][2]string, error) {
	var out [][2]string
	err := db.View(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusNoticeSent}, Sort: "notice_number", Limit: n})
		for _, r := range recs {
			out = append(out, [2]string{r.NoticeNumber, r.Resident.BirthDate})
		}
		return err
	})
	return out, err
}
