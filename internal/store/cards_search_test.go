package store_test

import (
	"slices"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// searchSeeds are six cards; tests name them by their App number.
func searchSeeds() []ledgertest.Seed {
	return []ledgertest.Seed{
		{App: 1, Notice: "A1B-000001", Name: "三輪　直美", Kana: "ミワ　ナオミ", Birth: "1977-07-28",
			Status: card.StatusArrived, Delivery: "2025-03-01", Box: "B-1", Storage: "A棚-1"},
		{App: 2, Notice: "A1B-000002", Name: "三輪　隆", Kana: "ミワ　タカシ", Birth: "2013-01-26",
			Status: card.StatusSetupDone, Delivery: "2025-03-10", Box: "B-1", Storage: "A棚-2", Remarks: "転居予定あり"},
		{App: 3, Notice: "C3D-000003", Name: ivsName, Kana: "カツラギ　ナオミ", Birth: "1990-05-05",
			Status: card.StatusNoticeSent, Delivery: "2025-04-01", Box: "B-2", Storage: "B棚-1"},
		{App: 4, Name: yoshiName, Kana: "ﾖｼﾉ ｲﾁﾛｳ", Birth: "1950-12-31", Status: card.StatusMailed,
			Method: card.MethodAtApplication, Delivery: "2025-04-15", Box: "B-2"},
		{App: 5, Name: gaijiName, Kana: "キャノン　ハナコ", Birth: "1985-02-02", Status: card.StatusIssued,
			Box: "B-3", Remarks: "外字確認中 100%", Flags: []string{"gaiji"}, Gaiji: true},
		{App: 6, Name: "佐藤　ゆうこ", Kana: "サトウ　ユウコ", Status: card.StatusOnHold},
	}
}

func seedSearch(t *testing.T, db *store.DB) {
	t.Helper()
	for _, s := range searchSeeds() {
		ledgertest.MustCard(t, db, s)
	}
}

func TestSearchCardsByEveryFilter(t *testing.T) {
	tests := []struct {
		name string
		f    store.CardFilter
		want []int
	}{
		{"no filter finds all", store.CardFilter{}, []int{1, 2, 3, 4, 5, 6}},
		{"notice number exact", store.CardFilter{NoticeNumber: "A1B-000002"}, []int{2}},
		{"notice number is not a prefix", store.CardFilter{NoticeNumber: "A1B-00000"}, nil},
		{"application id", store.CardFilter{ApplicationID: ledgertest.AppID(3)}, []int{3}},
		{"birth date", store.CardFilter{BirthDate: "1977-07-28"}, []int{1}},
		{"several statuses", store.CardFilter{Statuses: []card.Status{card.StatusArrived, card.StatusSetupDone}}, []int{1, 2}},
		{"delivery range inclusive", store.CardFilter{DeliveredFrom: "2025-03-10", DeliveredTo: "2025-04-01"}, []int{2, 3}},
		{"delivery from only", store.CardFilter{DeliveredFrom: "2025-04-02"}, []int{4}},
		{"box", store.CardFilter{Box: "B-2"}, []int{3, 4}},
		{"storage prefix", store.CardFilter{StorageLocation: "A棚"}, []int{1, 2}},
		{"storage exact", store.CardFilter{StorageLocation: "A棚-1"}, []int{1}},
		{"remarks text", store.CardFilter{Remarks: "転居"}, []int{2}},
		{"remarks wildcard is literal", store.CardFilter{Remarks: "0%"}, []int{5}},
		{"remarks underscore is literal", store.CardFilter{Remarks: "_"}, nil},
		{"method", store.CardFilter{Method: card.MethodAtApplication}, []int{4}},
		{"flag", store.CardFilter{Flag: "gaiji"}, []int{5}},
		{"flag is a whole word", store.CardFilter{Flag: "gai"}, nil},
		{"filters combine", store.CardFilter{Query: "ミワ", Statuses: []card.Status{card.StatusSetupDone}}, []int{2}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearch(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { assertFound(t, db, tt.f, tt.want...) })
		}
	})
}

func TestSearchCardsByNameInKanji(t *testing.T) {
	tests := []struct {
		q    string
		want []int
	}{
		{"直美", []int{1, 3}},
		{"直", []int{1, 3}},
		{"三輪", []int{1, 2}},
		{"輪　隆", []int{2}},
		{"三輪直美", []int{1}},
		{"三輪　直美", []int{1}},
		{"葛城", []int{3}},              // stored with an IVS, typed without
		{"葛\U000E0100城　直美", []int{3}}, // typed with it
		{"𠮷", []int{4}},
		{"𠮷野　一郎", []int{4}},
		{"\ue000", []int{5}},
		{"\ue000田", []int{5}},
		{"ゆうこ", []int{6}},
		{"鈴木", nil},
		{"三輪直子", nil},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearch(t, db)
		for _, tt := range tests {
			t.Run(tt.q, func(t *testing.T) { assertFound(t, db, store.CardFilter{Query: tt.q}, tt.want...) })
		}
	})
}

func TestSearchCardsByKana(t *testing.T) {
	tests := []struct {
		name, q string
		want    []int
	}{
		{"full-width prefix", "ミワ", []int{1, 2}},
		{"half-width finds full-width", "ﾐﾜ", []int{1, 2}},
		{"full-width finds half-width data", "ヨシノ", []int{4}},
		{"hiragana", "みわ　たかし", []int{2}},
		{"partial inside the name", "ナオミ", []int{1, 3}},
		{"small kana typed large", "キヤノン", []int{5}},
		{"small kana typed small", "キャノン", []int{5}},
		{"half-width small kana", "ｷｬﾉﾝ", []int{5}},
		{"half-width voiced", "ｶﾂﾗｷﾞ", []int{3}},
		{"long vowel mark", "イチロー", []int{4}},
		{"longer than a fragment", "ミワナオミ", []int{1}},
		{"shares only a cut fragment", "ミワナオコ", nil},
		{"space between words", "ミワ ナオミ", []int{1}},
		{"kana of a hiragana name", "ユウコ", []int{6}},
		{"no match", "スズキ", nil},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearch(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { assertFound(t, db, store.CardFilter{Query: tt.q}, tt.want...) })
		}
	})
}

func TestSearchCardsSortsAndPages(t *testing.T) {
	tests := []struct {
		name string
		f    store.CardFilter
		want []int
	}{
		{"kana by default", store.CardFilter{}, []int{3, 5, 6, 2, 1, 4}},
		{"kana descending", store.CardFilter{Sort: "kana", Desc: true}, []int{4, 1, 2, 6, 5, 3}},
		{"absent dates last", store.CardFilter{Sort: "delivery_date"}, []int{1, 2, 3, 4, 5, 6}},
		{"absent dates last descending", store.CardFilter{Sort: "delivery_date", Desc: true}, []int{4, 3, 2, 1, 6, 5}},
		{"birth date", store.CardFilter{Sort: "birth_date"}, []int{4, 1, 6, 5, 3, 2}},
		// Birth dates and notice numbers are sealed: ordered after decrypting.
		{"birth date descending", store.CardFilter{Sort: "birth_date", Desc: true}, []int{2, 3, 5, 6, 1, 4}},
		{"notice number, absent last", store.CardFilter{Sort: "notice_number"}, []int{1, 2, 3, 4, 5, 6}},
		{"notice number descending", store.CardFilter{Sort: "notice_number", Desc: true}, []int{3, 2, 1, 6, 5, 4}},
		{"notice number, a page", store.CardFilter{Sort: "notice_number", Limit: 2, Offset: 1}, []int{2, 3}},
		{"a page", store.CardFilter{Limit: 2, Offset: 2}, []int{6, 2}},
		{"past the end", store.CardFilter{Limit: 2, Offset: 10}, []int{}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearch(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total := mustSearch(t, db, tt.f)
				if !slices.Equal(appNumbers(got), tt.want) || total != 6 {
					t.Errorf("got %v of %d, want %v of 6", appNumbers(got), total, tt.want)
				}
			})
		}
		if got, n := mustSearch(t, db, store.CardFilter{Query: "ミワ", Sort: "notice_number", Desc: true}); n != 2 ||
			!slices.Equal(appNumbers(got), []int{2, 1}) {
			t.Errorf("name query by notice number: %v of %d", appNumbers(got), n)
		}
		if got, n := mustSearch(t, db, store.CardFilter{Query: "ミワ", Remarks: "転居"}); n != 1 ||
			!slices.Equal(appNumbers(got), []int{2}) {
			t.Errorf("name query and remarks: %v of %d", appNumbers(got), n)
		}
		err := db.View(ctx, func(tx *store.Tx) error {
			_, _, err := tx.SearchCards(ctx, store.CardFilter{Sort: "name; DROP TABLE cards"})
			return err
		})
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown sort: want invalid, got %v", err)
		}
	})
}

// assertFound checks the set of cards a filter finds, by App number.
func assertFound(t *testing.T, db *store.DB, f store.CardFilter, want ...int) {
	t.Helper()
	got, total := mustSearch(t, db, f)
	nums := appNumbers(got)
	slices.Sort(nums)
	if !slices.Equal(nums, want) && !(len(nums) == 0 && len(want) == 0) || total != len(want) {
		t.Errorf("%+v: found %v (total %d), want %v", f, nums, total, want)
	}
}

func mustSearch(t *testing.T, db *store.DB, f store.CardFilter) ([]store.CardRecord, int) {
	t.Helper()
	var recs []store.CardRecord
	var total int
	err := db.View(ctx, func(tx *store.Tx) (err error) { recs, total, err = tx.SearchCards(ctx, f); return err })
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	return recs, total
}

func appNumbers(recs []store.CardRecord) []int {
	out := []int{}
	for _, r := range recs {
		for n := 1; n <= 99; n++ {
			if r.Application.ApplicationID == ledgertest.AppID(n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// A name search alone is answered from card_search; with any other
// condition it goes through the joined tables. Both must agree.
func TestNameSearchPathsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearch(t, db)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 7, Name: "三輪　直美", Kana: "ミワ　ナオミ"}) // same name, second card
		for _, q := range []string{"ミワ", "ﾐﾜ", "直", "ナ", "みわ", "\ue000"} {
			for _, page := range []store.CardFilter{{}, {Desc: true}, {Limit: 1, Offset: 1}, {Limit: 2, Offset: 2, Desc: true}} {
				fast := page
				fast.Query = q
				joined := fast
				joined.Statuses = card.AllStatuses()
				a, an := mustSearch(t, db, fast)
				b, bn := mustSearch(t, db, joined)
				if !slices.Equal(appNumbers(a), appNumbers(b)) || an != bn {
					t.Errorf("%q %+v: alone %v of %d, joined %v of %d", q, page, appNumbers(a), an, appNumbers(b), bn)
				}
			}
		}
	})
}

// card_search has no foreign key (migration 0015, for the speed of bulk
// imports); deleting a card still removes its search rows, as the cascade
// did, and no others.
func TestDeletingACardRemovesItsSearchRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, searchSeeds()[0])
		for _, s := range searchSeeds()[1:] {
			ledgertest.MustCard(t, db, s)
		}
		raw := db.WritePool()
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := raw.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		mine, all := count(`SELECT COUNT(*) FROM card_search WHERE card_id = $1`, rec.ID), count(`SELECT COUNT(*) FROM card_search`)
		if mine == 0 {
			t.Fatal("the card has no search rows")
		}
		for _, q := range []string{`DELETE FROM card_events WHERE card_id = $1`, `DELETE FROM cards WHERE id = $1`} {
			if _, err := raw.ExecContext(t.Context(), q, rec.ID); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(`SELECT COUNT(*) FROM card_search WHERE card_id = $1`, rec.ID); n != 0 {
			t.Fatalf("%d search rows of a deleted card remain", n)
		}
		if n := count(`SELECT COUNT(*) FROM card_search`); n != all-mine {
			t.Fatalf("%d search rows remain, want %d", n, all-mine)
		}
	})
}

// A 1-character name (card_search does not index single characters) is
// checked by decrypting the cards the other conditions select: with
// nothing to narrow a list longer than NameOrderBound it is refused with a
// way out, and another condition makes it work. A remarks search decrypts
// only cards that have remarks.
func TestDecryptingSearchesAreBounded(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	if err := ledgertest.SeedCards(ctx, db, store.NameOrderBound+1); err != nil {
		t.Fatal(err)
	}
	rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 99_999_999, Name: "林　檎", Kana: "ハヤシ　ゴ", Birth: "1901-02-03",
		Remarks: "めずらしい備考"})
	assertRefused(t, db, store.CardFilter{Query: "檎"})
	for _, f := range []store.CardFilter{{Query: "檎", BirthDate: "1901-02-03"}, {Remarks: "めずらしい"}} {
		if got, n := mustSearch(t, db, f); n != 1 || got[0].ID != rec.ID {
			t.Errorf("%+v: %d cards", f, n)
		}
	}
}

// assertRefused fails unless the search is refused as invalid.
func assertRefused(t *testing.T, db *store.DB, f store.CardFilter) {
	t.Helper()
	err := db.View(ctx, func(tx *store.Tx) error { _, _, err := tx.SearchCards(ctx, f); return err })
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("search %+v: want invalid, got %v", f, err)
	}
}
