package server

import (
	"crypto/sha256"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// solvePoW finds the answer as the page's script does.
func solvePoW(token string, bits int) string {
	for n := 0; ; n++ {
		if challenge.ZeroBits(sha256.Sum256([]byte(token+":"+strconv.Itoa(n)))) >= bits {
			return strconv.Itoa(n)
		}
	}
}

func setChallenge(t *testing.T, h *harness, body string) {
	t.Helper()
	if res := h.do("PUT", "/api/v1/settings/challenge", h.login("admin1"), body); res.StatusCode != 200 {
		t.Fatalf("challenge settings: %d", res.StatusCode)
	}
}

func TestBookingChallengeSwitchesOnUnderLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Now())
		h := newPublicClockHarness(t, db, clk)
		b := newBrowser(t, h)
		// Off by default: no proof, no script.
		p, _ := b.untilConfirm("ja", residents()[:1], "self")
		if strings.Contains(p.body, "data-pow-bits") || strings.Contains(p.body, "<script") {
			t.Fatal("the challenge must be off by default")
		}
		setChallenge(t, h, `{"mode":"auto","submits_per_minute":1,"pressure_percent":100,"bits":10,"wait_seconds":10}`)
		b.book(p) // the first submission of the minute passes and counts

		p, _ = b.untilConfirm("ja", residents()[1:2], "minor")
		form := stepForm(t, p.body)
		token := form.Get("pow")
		if token == "" || !strings.Contains(p.body, `data-pow-bits="10"`) || !strings.Contains(p.body, `<script src="/static/pow.`) ||
			!strings.Contains(p.body, "10 秒たってから") {
			t.Fatalf("under load the confirm page asks for the proof:\n%s", excerpt(p.body))
		}
		without := url.Values{}
		for k, v := range form {
			if k != "pow" && k != "pow_n" {
				without[k] = v
			}
		}
		mustStatus(t, b.postPage("/booking/confirm", without), 429, "確認が必要になりました")
		mustStatus(t, b.flowStep(p, "/booking/confirm", url.Values{"pow_n": {"1"}}), 429, "あと 10 秒お待ちください")

		answered := url.Values{"pow_n": {solvePoW(token, 10)}}
		res := b.flowStep(p, "/booking/confirm", answered)
		if res.status != 303 || !strings.HasPrefix(res.location, "/booking/done") {
			t.Fatalf("a correct proof passes: %d\n%s", res.status, excerpt(res.body))
		}
		mustStatus(t, b.flowStep(p, "/booking/confirm", answered), 409, "すでに受け付けています")
	})
}

func TestBookingChallengeWithoutJavaScriptWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Now())
		h := newPublicClockHarness(t, db, clk)
		setChallenge(t, h, `{"mode":"always","submits_per_minute":100,"pressure_percent":80,"bits":20,"wait_seconds":8}`)
		b := newBrowser(t, h)
		p, _ := b.untilConfirm("en", residents()[:1], "self")
		mustStatus(t, p, 200, "8 seconds after this page opened")
		mustStatus(t, b.flowStep(p, "/booking/confirm", nil), 429, "wait 8 more seconds")
		clk.Advance(5 * time.Second)
		mustStatus(t, b.flowStep(p, "/booking/confirm", nil), 429, "wait 3 more seconds")
		clk.Advance(3 * time.Second)
		// Without JavaScript the form is sent as it is, after the wait.
		res := b.flowStep(p, "/booking/confirm", nil)
		if res.status != 303 || !strings.HasPrefix(res.location, "/booking/done") {
			t.Fatalf("after the wait: %d\n%s", res.status, excerpt(res.body))
		}
		// A challenge belongs to its form: another booking cannot reuse it.
		token := stepForm(t, p.body).Get("pow")
		other, _ := b.untilConfirm("en", residents()[1:2], "minor")
		clk.Advance(10 * time.Second)
		mustStatus(t, b.flowStep(other, "/booking/confirm", url.Values{"pow": {token}}), 429, "a check is now needed")
	})
}
