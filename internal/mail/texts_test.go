package mail_test

import (
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestMailsCarryTheCitysHelpLineWording(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		texts := sitetext.New(db, e.clock)
		if _, err := texts.Save(t.Context(), admin, auth.Meta{}, "help.hours", map[string]string{"ja": "平日 9時〜16時"}); err != nil {
			t.Fatal(err)
		}
		if _, err := texts.Save(t.Context(), admin, auth.Meta{}, "help.office", map[string]string{"ja": "架空市 住民窓口課"}); err != nil {
			t.Fatal(err)
		}
		e.book(t, "2026-12-01 10:00", 1)
		e.run(t, mail.Report{Sent: 1})
		body := mustParse(t, e.sink.Messages()[0]).Body
		if !strings.Contains(body, "お問い合わせ: 架空市 住民窓口課 000-111-2222（平日 9時〜16時）") {
			t.Fatalf("the footer must use the city's wording:\n%s", body)
		}
	})
}
