package sitetext_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
)

func mustGet(t *testing.T, svc *sitetext.Service, key, lang string) string {
	t.Helper()
	set, err := svc.Texts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := set.Get(key, lang)
	if !ok {
		t.Fatalf("%s is not editable", key)
	}
	return v
}

func TestSavedTextsReachEveryInstanceAndResetRestoresTheDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		one, other := sitetext.New(db, clock.System{}), sitetext.New(db, clock.System{})
		now := time.Now()
		sitetext.SetCacheClock(other, func() time.Time { return now })
		mustGet(t, one, "done.lead", "ja")
		def := mustGet(t, other, "done.lead", "ja") // the other instance caches the default now
		if !strings.Contains(def, "ご予約ありがとうございます") {
			t.Fatalf("default: %q", def)
		}
		gaiji := "\U000F0001" // a 外字 (PUA) character must survive
		if _, err := one.Save(ctx, admin, auth.Meta{}, "done.lead", map[string]string{"ja": "ご予約を承りました。" + gaiji + "\r\n\r\n駐車場は南側です。  ", "en": "Booked."}); err != nil {
			t.Fatal(err)
		}
		want := "ご予約を承りました。" + gaiji + "\n\n駐車場は南側です。"
		if got := mustGet(t, one, "done.lead", "ja"); got != want {
			t.Fatalf("the instance that saved must show the change at once: %q", got)
		}
		// Another instance checks the version at most once per MaxAge.
		if got := mustGet(t, other, "done.lead", "ja"); got != def {
			t.Fatalf("the other instance read the database before MaxAge: %q", got)
		}
		now = now.Add(sitetext.MaxAge)
		if got := mustGet(t, other, "done.lead", "ja"); got != want {
			t.Fatalf("the other instance still shows %q after MaxAge", got)
		}
		if got := mustGet(t, other, "done.lead", "en"); got != "Booked." {
			t.Fatalf("en: %q", got)
		}
		if _, ok := (sitetext.Set{}).Get("site.name", "ja"); ok {
			t.Fatal("a text that is not editable was reported as one")
		}
		e, err := one.Reset(ctx, admin, auth.Meta{}, "done.lead")
		if err != nil || e.Changed["ja"] || e.Changed["en"] {
			t.Fatalf("reset: %+v %v", e.Changed, err)
		}
		now = now.Add(sitetext.MaxAge)
		if got := mustGet(t, other, "done.lead", "ja"); got != def {
			t.Fatalf("after the reset: %q", got)
		}
		checkAudit(t, db)
	})
}

func checkAudit(t *testing.T, db *store.DB) {
	t.Helper()
	var changes []audit.Entry
	err := db.View(ctx, func(tx *store.Tx) error {
		return tx.EachAudit(ctx, func(e audit.Entry) error {
			if e.Action == "settings.text_changed" {
				changes = append(changes, e)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("want the save and the reset audited, got %d", len(changes))
	}
	b, _ := json.Marshal(changes[0].Detail)
	if !strings.Contains(string(b), "ご予約ありがとうございます") || !strings.Contains(string(b), "駐車場は南側です") {
		t.Fatalf("the audit must hold the old and the new text: %s", b)
	}
}

func TestBadTextsAreRefusedByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := sitetext.New(db, clock.System{})
		_, err := svc.Save(ctx, admin, auth.Meta{}, "help.hours", map[string]string{"ja": "平日\n9時から", "en": strings.Repeat("a", 121)})
		fields := apperr.FieldsOf(err)
		if apperr.CodeOf(err) != apperr.Invalid || len(fields) != 2 || fields[0].Field != "ja" || fields[1].Field != "en" ||
			!strings.Contains(fields[1].Message, "120 文字以内") {
			t.Fatalf("want both fields named: %v %+v", err, fields)
		}
		if _, err := svc.Save(ctx, admin, auth.Meta{}, "top.notice", map[string]string{"ja": "お知らせ\x00"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("a control character: %v", err)
		}
		if _, err := svc.Save(ctx, admin, auth.Meta{}, "nope", map[string]string{"ja": "x"}); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown text: %v", err)
		}
		if got := mustGet(t, svc, "help.hours", "ja"); !strings.Contains(got, "平日") || strings.Contains(got, "9時から") {
			t.Fatalf("nothing may be saved: %q", got)
		}
	})
}
