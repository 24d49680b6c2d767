package ledgertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// part is a piece of a generated name: kanji and its reading.
type part struct{ kanji, kana string }

// commonSurnames are frequent surnames with their approximate share of the
// population in 1/10,000 (about 16% together); the other residents get
// surnames made of two parts, as many real ones are.
func commonSurnames() []struct {
	part
	weight int
} {
	return []struct {
		part
		weight int
	}{
		{part{"佐藤", "サトウ"}, 150}, {part{"鈴木", "スズキ"}, 140}, {part{"高橋", "タカハシ"}, 110},
		{part{"田中", "タナカ"}, 100}, {part{"伊藤", "イトウ"}, 90}, {part{"渡辺", "ワタナベ"}, 90},
		{part{"山本", "ヤマモト"}, 90}, {part{"中村", "ナカムラ"}, 85}, {part{"小林", "コバヤシ"}, 85},
		{part{"加藤", "カトウ"}, 70}, {part{"吉田", "ヨシダ"}, 70}, {part{"山田", "ヤマダ"}, 65},
		{part{"佐々木", "ササキ"}, 55}, {part{"山口", "ヤマグチ"}, 50}, {part{"松本", "マツモト"}, 50},
		{part{"井上", "イノウエ"}, 50}, {part{"木村", "キムラ"}, 45}, {part{"林", "ハヤシ"}, 45},
		{part{"斎藤", "サイトウ"}, 45}, {part{"清水", "シミズ"}, 45}, {part{"三輪", "ミワ"}, 10},
	}
}

func surnameParts() []part {
	return []part{{"山", "ヤマ"}, {"川", "カワ"}, {"田", "タ"}, {"中", "ナカ"}, {"小", "コ"}, {"大", "オオ"},
		{"高", "タカ"}, {"石", "イシ"}, {"森", "モリ"}, {"松", "マツ"}, {"竹", "タケ"}, {"井", "イ"},
		{"上", "ウエ"}, {"下", "シモ"}, {"村", "ムラ"}, {"本", "モト"}, {"木", "キ"}, {"野", "ノ"},
		{"原", "ハラ"}, {"西", "ニシ"}, {"東", "ヒガシ"}, {"北", "キタ"}, {"南", "ミナミ"}, {"岡", "オカ"},
		{"藤", "フジ"}, {"島", "シマ"}, {"前", "マエ"}, {"長", "ナガ"}, {"池", "イケ"}, {"平", "ヒラ"},
		{"宮", "ミヤ"}, {"青", "アオ"}, {"黒", "クロ"}, {"白", "シロ"}, {"金", "カネ"}, {"新", "シン"},
		{"古", "フル"}, {"今", "イマ"}, {"坂", "サカ"}, {"橋", "ハシ"}}
}

func givenFirstParts() []part {
	return []part{{"一", "イチ"}, {"健", "ケン"}, {"直", "ナオ"}, {"美", "ミ"}, {"花", "ハナ"}, {"太", "タ"},
		{"和", "カズ"}, {"真", "マ"}, {"由", "ユ"}, {"智", "トモ"}, {"浩", "ヒロ"}, {"幸", "ユキ"},
		{"恵", "メグ"}, {"秀", "ヒデ"}, {"雅", "マサ"}, {"裕", "ユウ"}, {"隆", "タカ"}, {"達", "タツ"},
		{"明", "アキ"}, {"翔", "ショウ"}}
}

func givenSecondParts() []part {
	return []part{{"子", "コ"}, {"美", "ミ"}, {"郎", "ロウ"}, {"太", "タ"}, {"夫", "オ"}, {"也", "ヤ"},
		{"樹", "キ"}, {"人", "ト"}, {"代", "ヨ"}, {"香", "カ"}, {"菜", "ナ"}, {"恵", "エ"}, {"彦", "ヒコ"},
		{"介", "スケ"}, {"司", "ジ"}, {"奈", "ナ"}, {"江", "エ"}, {"男", "オ"}, {"貴", "キ"}, {"平", "ヘイ"}}
}

// nameGen makes realistic, reproducible names.
type nameGen struct {
	rnd             *rand.Rand
	common          []part
	cumulative      []int // running total of common weights
	sur, gin1, gin2 []part
}

func newNameGen(seed uint64) *nameGen {
	g := &nameGen{rnd: rand.New(rand.NewPCG(seed, 42)), sur: surnameParts(),
		gin1: givenFirstParts(), gin2: givenSecondParts()}
	total := 0
	for _, c := range commonSurnames() {
		total += c.weight
		g.common = append(g.common, c.part)
		g.cumulative = append(g.cumulative, total)
	}
	return g
}

func (g *nameGen) surname() part {
	n := g.rnd.IntN(10_000)
	for i, c := range g.cumulative {
		if n < c {
			return g.common[i]
		}
	}
	a, b := g.sur[g.rnd.IntN(len(g.sur))], g.sur[g.rnd.IntN(len(g.sur))]
	return part{a.kanji + b.kanji, a.kana + b.kana}
}

func (g *nameGen) given() part {
	a, b := g.gin1[g.rnd.IntN(len(g.gin1))], g.gin2[g.rnd.IntN(len(g.gin2))]
	return part{a.kanji + b.kanji, a.kana + b.kana}
}

// record returns the i-th generated card.
func (g *nameGen) record(i int, created time.Time) store.CardRecord {
	s, n := g.surname(), g.given()
	birth := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(33_000))
	delivery := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rnd.IntN(1_500))
	statuses := card.AllStatuses()
	rec := store.CardRecord{
		Resident: store.Resident{Name: s.kanji + "　" + n.kanji, NameKana: s.kana + "　" + n.kana,
			BirthDate: birth.Format(time.DateOnly), Address: fmt.Sprintf("兵庫県三田市三輪%d丁目%d番", i%9+1, i%40+1)},
		Application: store.Application{ApplicationID: AppID(i + 1), Method: card.MethodCounter},
	}
	rec.Card = store.Card{NoticeNumber: fmt.Sprintf("B%02d-%06d", i/1_000_000, i%1_000_000),
		DeliveryDate: delivery.Format(time.DateOnly), Box: fmt.Sprintf("箱%04d", i/500),
		StorageLocation: fmt.Sprintf("棚%02d-%03d", i%20, i/5_000), Status: statuses[g.rnd.IntN(len(statuses))],
		CreatedAt: created}
	return rec
}

// OpenBenchDB returns a SQLite database holding n generated cards, seeded
// once and kept under os.TempDir() (about six minutes for a million cards).
// Change the "v5" in its name when the card tables change.
func OpenBenchDB(tb testing.TB, n int) *store.DB {
	tb.Helper()
	name := fmt.Sprintf("kofu-bench-cards-%d-v5.sqlite", n)
	return storetest.CachedSQLite(tb, name, func(ctx context.Context, db *store.DB) error { return seedBench(ctx, db, n) })
}

func seedBench(ctx context.Context, db *store.DB, n int) error {
	g := newNameGen(1)
	const batch = 20_000
	for start := 0; start < n; start += batch {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				rec := g.record(i, Created())
				if err := tx.InsertCardRecord(ctx, &rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// SeedCards stores n generated cards in db (any engine), 20,000 to a
// transaction, as OpenBenchDB does for its cached SQLite file.
func SeedCards(ctx context.Context, db *store.DB, n int) error { return seedBench(ctx, db, n) }
