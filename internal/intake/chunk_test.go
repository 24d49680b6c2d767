package intake

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

const chunkHeader = "申請書ID,交付通知書番号,宛名番号,氏名,氏名カナ,生年月日,住所\n"

func appID(n int) string { return fmt.Sprintf("%023d", n) }

// priorFile is in the ledger before chunkFile is imported.
var priorFile = chunkHeader +
	appID(1) + ",AB1-000001,5001,山田　太郎,ヤマダ　タロウ,1970-01-01,三田市A町1\n" +
	appID(2) + ",AB1-000002,5002,佐藤　花子,サトウ　ハナコ,1971-02-02,三田市B町2\n" +
	appID(3) + ",AB1-000003,5003,鈴木　一郎,スズキ　イチロウ,1972-03-03,三田市C町3\n" +
	appID(4) + ",AB1-000004,5004,伊藤　九郎,イトウ　クロウ,1973-04-04,三田市K町4\n" +
	appID(5) + ",AB1-000005,5002,佐藤　花子,サトウ　ハナコ,1971-02-02,三田市B町2\n" + // the resident of 申請書ID 2
	appID(6) + ",AB1-000006,5006,松本　十郎,マツモト　ジュウロウ,1974-05-05,三田市L町6\n"

// chunkFile's rows depend on the rows before them (line numbers on the
// right): each must see the earlier rows' effect, in one chunk or across.
// (The reader refuses an 申請書ID listed twice in a file.)
var chunkFile = chunkHeader +
	appID(10) + ",AB1-000010,6001,田中　次郎,タナカ　ジロウ,1980-01-01,三田市D町1\n" + // 2 created, new resident
	appID(11) + ",AB1-000011,6001,田中　二郎,タナカ　ニロウ,1980-01-01,三田市D町1\n" + // 3 created for the resident of line 2
	appID(12) + ",AB1-000010,,木村　三郎,キムラ　サブロウ,1981-01-01,三田市E町1\n" + // 4 rejected: line 2 holds the notice
	appID(1) + ",AB1-000020,5001,山田　太郎,ヤマダ　タロウ,1970-01-01,三田市A町1\n" + // 5 moves the notice to -000020
	appID(13) + ",AB1-000001,,小林　四郎,コバヤシ　シロウ,1982-01-01,三田市F町1\n" + // 6 created: line 5 freed the notice
	appID(14) + ",AB1-000020,,加藤　五郎,カトウ　ゴロウ,1983-01-01,三田市G町1\n" + // 7 rejected: line 5 took it
	appID(2) + ",AB1-000002,5002,佐藤　花子,サトウ　ハナコ,1971-02-02,三田市B町5\n" + // 8 updates a known resident
	appID(15) + ",AB1-000015,5002,佐藤　花,サトウ　ハナ,1971-02-02,三田市B町5\n" + // 9 created for that resident
	appID(5) + ",AB1-000005,5002,佐藤　花子,サトウ　ハナコ,1971-02-02,三田市B町2\n" + // 10 the same resident: back to B町2
	appID(3) + ",AB1-000003,7003,鈴木　一郎,スズキ　イチロウ,1972-03-03,三田市C町3\n" + // 11 new 宛名番号 7003
	appID(16) + ",AB1-000016,5003,吉田　六郎,ヨシダ　ロクロウ,1984-01-01,三田市H町1\n" + // 12 created: 5003 is free, new resident
	appID(17) + ",AB1-000017,7003,鈴木　一郎,スズキ　イチロウ,1972-03-03,三田市C町3\n" + // 13 created for the resident of line 11
	"123,AB1-000018,,山本　七郎,ヤマモト　シチロウ,1985-01-01,三田市I町1\n" + // 14 rejected: bad 申請書ID
	appID(18) + ",,,中村　八郎,ナカムラ　ハチロウ,1986-01-01,三田市J町1\n" + // 15 created without notice or 宛名番号
	appID(20) + ",AB1-000021,5004,伊藤　九郎,イトウ　クロウ,1973-04-04,三田市K町4\n" + // 16 created for a known resident
	appID(4) + ",AB1-000004,5004,伊藤　久郎,イトウ　ヒサオ,1973-04-04,三田市K町4\n" + // 17 renames that resident
	appID(21) + ",AB1-000022,5004,伊藤　久郎,イトウ　ヒサオ,1973-04-04,三田市K町4\n" + // 18 created for the renamed resident
	appID(6) + ",AB1-000006,5006,松本　十郎,マツモト　ジュウロウ,1974-05-05,三田市L町6\n" // 19 unchanged

// A file whose rows depend on earlier rows gives the same ledger and the
// same report whether it is applied row by row or in chunks of any size.
func TestChunksApplyRowsAsOneByOne(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			var want string
			for _, size := range []int{1, 2, 3, 7, defaultChunkRows} {
				db := storetest.MustOpen(t, e)
				s := newService(db)
				s.chunkRows = size
				importBytes(t, s, []byte(priorFile), false)
				res := importBytes(t, s, []byte(chunkFile), false)
				if res.Created != 9 || res.Updated != 5 || res.Unchanged != 1 || !slices.Equal(rejectedLines(res), []int{4, 7, 14}) {
					t.Fatalf("chunks of %d: %+v", size, res)
				}
				got := ledgerDigest(t, db) + reportDigest(res)
				if size == 1 {
					want = got
					continue
				}
				if got != want {
					t.Fatalf("chunks of %d differ from row by row:\n%s\nwant:\n%s", size, got, want)
				}
			}
			for _, line := range []string{
				appID(10) + " AB1-000010 6001 r" + appID(10) + " 田中　次郎 タナカ　ジロウ 三田市D町1",
				appID(11) + " AB1-000011 6001 r" + appID(10) + " 田中　次郎", // the resident of line 2, not the row's name
				appID(1) + " AB1-000020 5001 r" + appID(1),
				appID(13) + " AB1-000001  r" + appID(13),
				appID(2) + " AB1-000002 5002 r" + appID(2) + " 佐藤　花子 サトウ　ハナコ 三田市B町2",
				appID(15) + " AB1-000015 5002 r" + appID(2) + " 佐藤　花子 サトウ　ハナコ 三田市B町2",
				appID(17) + " AB1-000017 7003 r" + appID(3) + " 鈴木　一郎",
				appID(16) + " AB1-000016 5003 r" + appID(16) + " 吉田　六郎",
				appID(20) + " AB1-000021 5004 r" + appID(4) + " 伊藤　久郎 イトウ　ヒサオ",
				appID(21) + " AB1-000022 5004 r" + appID(4) + " 伊藤　久郎 イトウ　ヒサオ",
				"found by トウヒ: true",
			} {
				if !strings.Contains(want, line) {
					t.Errorf("ledger lacks %q:\n%s", line, want)
				}
			}
			if strings.Contains(want, ": false") {
				t.Errorf("a card is not found by its reading:\n%s", want)
			}
		})
	}
}

func rejectedLines(res Result) []int {
	var out []int
	for _, r := range res.Rejected {
		if !slices.Contains(out, r.Line) {
			out = append(out, r.Line)
		}
	}
	return out
}

func reportDigest(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows %d created %d updated %d unchanged %d\n", res.Rows, res.Created, res.Updated, res.Unchanged)
	for _, r := range res.Rejected {
		fmt.Fprintf(&b, "rejected %d %s %s %s\n", r.Line, r.Column, r.Code, r.Reason)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "warning %d %s %s %s\n", w.Line, w.Kind, w.Column, w.Detail)
	}
	return b.String()
}

// ledgerDigest lists every card by 申請書ID with its resident (named by the
// first application of that resident), its history without IDs, and the
// search tokens and sealed key copies it has; then each card's search by
// a piece of its reading.
func ledgerDigest(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	err := db.View(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Sort: "application_id", Limit: 1000})
		if err != nil {
			return err
		}
		firstApp := map[int64]string{}
		for _, rec := range recs {
			if _, ok := firstApp[rec.Resident.ID]; !ok {
				firstApp[rec.Resident.ID] = rec.Application.ApplicationID
			}
			r := rec.Resident
			fmt.Fprintf(&b, "%s %s %s r%s %s %s %s %s %s %v\n", rec.Application.ApplicationID, rec.NoticeNumber, r.ResidentNumber,
				firstApp[r.ID], r.Name, r.NameKana, r.Address, r.BirthDate, rec.Status, rec.Version)
			events, err := tx.CardEvents(ctx, rec.ID)
			if err != nil {
				return err
			}
			for _, e := range events {
				fmt.Fprintf(&b, "  event %s %s %s→%s %q %q %q %s\n", e.Kind, e.Actor, e.FromStatus, e.ToStatus, e.Field, e.OldValue, e.NewValue, e.Reason)
			}
			kana := []rune(strings.ReplaceAll(r.NameKana, "　", ""))
			found, _, err := tx.SearchCards(ctx, store.CardFilter{Query: string(kana[1:4]), Limit: 100})
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "  found by %s: %v\n", string(kana[1:4]), slices.ContainsFunc(found, func(f store.CardRecord) bool { return f.ID == rec.ID }))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.WritePool().QueryContext(ctx, `SELECT a.application_id, s.token FROM card_search s
		JOIN cards c ON c.id = s.card_id JOIN applications a ON a.id = c.application_ref ORDER BY a.application_id, s.token`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var app string
		var tok int64
		if err := rows.Scan(&app, &tok); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "token %s %d\n", app, tok)
	}
	var names, cards int
	if err := db.WritePool().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM card_names), (SELECT COUNT(*) FROM cards)`).Scan(&names, &cards); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "card_names %d cards %d\n", names, cards)
	return b.String()
}

// The reader refuses an 申請書ID listed twice in a file; should one come
// through, the second row still sees the card the first one created.
func TestApplicationTwiceInOneChunkUpdatesTheNewCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		rd, err := jlis.NewReader(strings.NewReader(chunkHeader+
			appID(10)+",AB1-000010,6001,田中　次郎,タナカ　ジロウ,1980-01-01,三田市D町1\n"+
			appID(10)+",AB1-000010,6001,田中　次郎,タナカ　ジロウ,1980-01-01,三田市D町9\n"), jlis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var rows []jlis.Row
		for range 2 {
			row, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row)
		}
		rows[1].Problems = nil // as if the reader had let it through
		res := Result{Rejected: []Rejection{}}
		err = db.Update(ctx, func(tx *store.Tx) error {
			tx.DeferSearchIndex()
			r := &run{svc: s, tx: tx, p: staff, res: &res, now: s.clock.Now()}
			return r.chunk(ctx, rows)
		})
		if err != nil || res.Created != 1 || res.Updated != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		digest := ledgerDigest(t, db)
		if !strings.Contains(digest, "三田市D町9") || !strings.Contains(digest, `event edit tanaka → "address" "三田市D町1" "三田市D町9"`) {
			t.Fatal(digest)
		}
	})
}

// An import asks the database about a chunk of rows at once and writes
// its new cards a table at a time: a handful of statements per chunk, not
// some ten per row (each a round trip on PostgreSQL). Importing the file
// again only looks its rows up.
func TestImportSendsFewStatementsPerRow(t *testing.T) {
	const rows = 2000
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		file := deliveryFile(rows)
		for _, c := range []struct {
			name            string
			created, atMost int
		}{{"first import", rows, rows / 10}, {"same file again", 0, rows / 50}} {
			before := db.Counts().Statements
			res := importBytes(t, s, file, false)
			n := int(db.Counts().Statements - before)
			t.Logf("%s: %d statements for %d rows", c.name, n, rows)
			if res.Created != c.created || n > c.atMost {
				t.Errorf("%s: created %d with %d statements, want %d with at most %d", c.name, res.Created, n, c.created, c.atMost)
			}
		}
	})
}
