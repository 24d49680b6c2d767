package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestDashboardShowsTheLastBackup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		b := newBrowser(t, h)
		if status, _, _ := b.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}}); status != 303 {
			t.Fatalf("login: %d", status)
		}
		section := func() string {
			status, _, body := b.get("/staff/dashboard")
			if status != 200 {
				t.Fatalf("dashboard: %d", status)
			}
			i := strings.Index(body, `<h2 id="backup-title">`)
			if i < 0 {
				t.Fatalf("no backup section:\n%s", body)
			}
			return body[i : i+strings.Index(body[i:], "</section>")]
		}
		if s := section(); !strings.Contains(s, "バックアップの記録がありません") {
			t.Errorf("before any backup:\n%s", s)
		}
		ctx := context.Background()
		ok := backup.Result{At: time.Now().Add(-time.Hour), File: "kofu-daily.age", Rows: 1234}
		if err := backup.RecordResult(ctx, db, ok); err != nil {
			t.Fatal(err)
		}
		if s := section(); !strings.Contains(s, "成功（kofu-daily.age、1234 行）") || strings.Contains(s, "要確認") {
			t.Errorf("after a fresh success:\n%s", s)
		}
		ok.At = time.Now().Add(-30 * time.Hour)
		backup.RecordResult(ctx, db, ok)
		if s := section(); !strings.Contains(s, "26時間以上") {
			t.Errorf("after an old success:\n%s", s)
		}
		failed := backup.Result{At: time.Now(), File: "kofu-daily2.age", Err: "disk full"}
		backup.RecordResult(ctx, db, failed)
		if s := section(); !strings.Contains(s, "失敗しました") || !strings.Contains(s, "失敗: disk full") {
			t.Errorf("after a failure:\n%s", s)
		}
	})
}
