package intake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// previewFile is a UTF-8 delivery of n plain rows with five rows to look
// at among them: a 外字 name the city's table knows, half-width kana, no
// notice number, an impossible birth date, and a notice number another
// card holds.
func previewFile(n int) []byte {
	var b strings.Builder
	b.WriteString("申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,交付方式\r\n")
	row := func(i int, notice, name, kana, birth string) {
		fmt.Fprintf(&b, "%023d,%s,%s,%s,%s,交付時来庁\r\n", i, notice, name, kana, birth)
	}
	for i := 1; i <= n; i++ {
		switch i {
		case 150:
			row(i, "G1A-000150", "\uE11A橋　一郎", "タカハシ　イチロウ", "19800101")
		case 160:
			row(i, "G1A-000160", "半角　花子", "ﾊﾝｶｸ ﾊﾅｺ", "19810202")
		case 170:
			row(i, "", "番号　なし", "バンゴウ　ナシ", "19820303")
		case 180:
			row(i, "G1A-000180", "日付　違い", "ヒヅケ　チガイ", "19830230")
		case 190:
			row(i, "TAK-000001", "番号　重複", "バンゴウ　ジュウフク", "19840404")
		default:
			row(i, fmt.Sprintf("P1A-%06d", i), fmt.Sprintf("普通　%d号", i), "フツウ", "19700101")
		}
	}
	return []byte(b.String())
}

func TestPreviewShowsRowsAsStoredFlaggedFirstAndBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		// The ledger already holds TAK-000001 and the city knows U+E11A.
		importBytes(t, s, []byte("申請書ID,交付通知書番号,氏名,生年月日\r\n99999999999999999999999,TAK-000001,既存　太郎,19600101\r\n"), false)
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: 0xE11A, Text: "髙", UpdatedAt: time.Now(), UpdatedBy: "admin"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		id, res, err := s.Preview(ctx, staff, auth.Meta{IP: "10.0.0.1"}, "big.csv", bytes.NewReader(previewFile(400)))
		if err != nil || id == 0 {
			t.Fatalf("preview: %v", err)
		}
		pv := res.Preview
		if pv == nil || pv.Total != 400 || pv.Flagged != 5 || len(pv.Rows) != PreviewLimit || !pv.Cut() {
			t.Fatalf("preview total %d flagged %d shown %d", pv.Total, pv.Flagged, len(pv.Rows))
		}
		var lines []int
		for _, r := range pv.Rows[:5] {
			lines = append(lines, r.Line)
		}
		if !slices.Equal(lines, []int{151, 161, 171, 181, 191}) || pv.Rows[5].Line != 2 || pv.Rows[5].Flagged() {
			t.Errorf("flagged rows first: lines %v, then %+v", lines, pv.Rows[5])
		}
		g := pv.Rows[0]
		if g.Name != "\uE11A橋　一郎" || g.NameShown != "髙橋　一郎" || g.Kana != "タカハシ　イチロウ" || g.BirthDate != "1980-01-01" ||
			g.NoticeNumber != "G1A-000150" || g.Method.Label() != "交付時来庁方式" || g.Outcome != OutcomeCreated ||
			!strings.Contains(g.Flags[0].Detail, "U+E11A") || g.Flags[0].Strong {
			t.Errorf("外字 row %+v", g)
		}
		if h := pv.Rows[1]; h.Kana != "ﾊﾝｶｸ ﾊﾅｺ" || len(h.Flags) != 1 || !strings.Contains(h.Flags[0].Detail, "半角カナ") {
			t.Errorf("half-width kana row %+v", h)
		}
		if n := pv.Rows[2]; n.NoticeNumber != "" || len(n.Flags) != 1 || !strings.Contains(n.Flags[0].Detail, "交付通知書番号がありません") {
			t.Errorf("row without notice number %+v", n)
		}
		if d := pv.Rows[3]; d.Outcome != OutcomeRejected || d.BirthDate != "" || !d.Flags[0].Strong {
			t.Errorf("impossible birth date %+v", d)
		}
		if d := pv.Rows[4]; d.Outcome != OutcomeRejected || !strings.Contains(d.Flags[0].Detail, "別のカード") || !d.Flags[0].Strong {
			t.Errorf("notice number taken %+v", d)
		}
		if countCards(t, db) != 1 {
			t.Error("a preview wrote cards")
		}
		// The rows are shown once: not in the report kept or returned.
		if b, _ := json.Marshal(res); bytes.Contains(b, []byte("橋　一郎")) || bytes.Contains(b, []byte("普通")) {
			t.Errorf("the report carries the rows: %s", b)
		}
		var seen *audit.Entry
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error {
				if e.Action == "import.jlis_previewed" {
					seen = &e
				}
				return nil
			})
		})
		if seen == nil || seen.Actor != "tanaka" || !strings.Contains(seen.Detail, `"rows_shown":200`) || strings.Contains(seen.Detail, "橋") {
			t.Errorf("the preview's audit entry: %+v", seen)
		}
	})
}

func TestPreviewOfASmallFileShowsEveryRow(t *testing.T) {
	s := newService(storetest.MustOpen(t, store.SQLite))
	_, res, err := s.Preview(ctx, staff, auth.Meta{}, "small.csv", bytes.NewReader(previewFile(3)))
	if err != nil {
		t.Fatal(err)
	}
	if pv := res.Preview; len(pv.Rows) != 3 || pv.Cut() || pv.Flagged != 0 || pv.Rows[0].Outcome != OutcomeCreated {
		t.Errorf("preview %+v", pv)
	}
	if plain, err := s.ImportJLIS(ctx, staff, auth.Meta{}, bytes.NewReader(previewFile(3)), Options{DryRun: true}); err != nil || plain.Preview != nil {
		t.Errorf("a dry run without preview keeps rows: %+v %v", plain.Preview, err)
	}
}
