package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestResidentsStumbles walks, in a browser, the places of the citizen site
// where residents stumbled (issue #21): each page is checked by tab.check.
func TestResidentsStumbles(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		t.Run("identity on its own page", func(t *testing.T) { s.identityOnItsPage(t) })
	})
}

// identityOnItsPage: a wrong birth date and an unknown number are answered
// on the ご本人の確認 page, alike, before any time is chosen.
func (s *site) identityOnItsPage(t *testing.T) {
	tb := newTab(t, s.url, 375, 667)
	tb.open("/booking/start?service=pickup")
	summary := func(noticeNo, y, m, d string) string {
		tb.do(chromedp.SetValue(chromedp.ID("notice0"), noticeNo), chromedp.SetValue(chromedp.ID("by0"), y),
			chromedp.SetValue(chromedp.ID("bm0"), m), chromedp.SetValue(chromedp.ID("bd0"), d))
		tb.click(`.buttons button.primary`)
		if got := tb.title(); got != "ご本人の確認" {
			t.Fatalf("after a wrong answer the page is %q, want ご本人の確認", got)
		}
		if !tb.has(".error-summary:focus") || !tb.has(`#notice0[aria-invalid=true]`) || !tb.has(`.error-summary a[href="#notice0"]`) {
			t.Fatal("the wrong answer is not reported at the number with the focus on the summary")
		}
		return tb.text(".error-summary ul")
	}
	y, m, d := birthParts(3)
	wrongDate := summary(notice(3), y, m, "28")
	unknown := summary("ZZZ-999999", y, m, d)
	if wrongDate != unknown || wrongDate == "" {
		t.Fatalf("a wrong date says %q, an unknown number %q: they must be the same", wrongDate, unknown)
	}
	summary(notice(3), y, m, "28")
	tb.do(chromedp.SetValue(chromedp.ID("bd0"), d))
	tb.click(`.buttons button.primary`)
	if got := tb.title(); got != "窓口を選ぶ" {
		t.Fatalf("with the right date the next page is %q, want 窓口を選ぶ", got)
	}
}
