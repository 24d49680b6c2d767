package server

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestImportPreviewShowsTheRowsBeforeTheButton checks the J-LIS preview
// as a clerk reads it: the rows as they will be stored, the ones to look
// at first, and 「取り込む」 only after them.
func TestImportPreviewShowsTheRowsBeforeTheButton(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: 0xE11A, Text: "髙", UpdatedAt: time.Now(), UpdatedBy: "admin1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		file := "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,交付方式\r\n" +
			"10000000000000000000001,P1A-000001,普通　一郎,フツウ　イチロウ,19700101,交付時来庁\r\n" +
			"10000000000000000000002,P1A-000002,\uE11A橋　一郎,タカハシ　イチロウ,19800101,交付時来庁\r\n" +
			"10000000000000000000003,P1A-000003,半角　花子,ﾊﾝｶｸ ﾊﾅｺ,19810202,申請時来庁\r\n" +
			"10000000000000000000004,,番号　なし,バンゴウ　ナシ,19820303,交付時来庁\r\n"
		status, _, body := staff.upload("/staff/imports/preview", "d.csv", []byte(file), nil)
		if status != 200 || uploadID.FindStringSubmatch(body) == nil {
			t.Fatalf("preview: %d %s", status, body)
		}
		at := func(s string) int {
			t.Helper()
			i := strings.Index(body, s)
			if i < 0 {
				t.Fatalf("the preview lacks %q", s)
			}
			return i
		}
		// The 外字 row names the person by the city's table.
		gaiji, halfwidth, noNotice, plain := at("髙橋　一郎"), at("ﾊﾝｶｸ ﾊﾅｺ"), at("番号　なし"), at("普通　一郎")
		if !(gaiji < halfwidth && halfwidth < noNotice && noNotice < plain) {
			t.Errorf("flagged rows come first: %d %d %d %d", gaiji, halfwidth, noNotice, plain)
		}
		at("半角カナがあります")
		at("交付通知書番号がありません")
		at("申請時来庁方式")
		at("1981-02-02")
		if button, problems := at(">取り込む</button>"), at("確認してほしい点"); button < problems || button < plain {
			t.Errorf("「取り込む」 comes before the problems or the rows")
		}
		var previewed bool
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error {
				previewed = previewed || (e.Action == "import.jlis_previewed" && e.Actor == "staff1")
				return nil
			})
		})
		if !previewed {
			t.Error("showing the rows is not audited")
		}
	})
}
