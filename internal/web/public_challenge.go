package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/challenge"
)

// sealChallenge is the purpose of a sealed proof-of-work challenge.
const sealChallenge = "kofu/booking-challenge/v1"

// pubChallengeToken is a challenge as the form carries it, sealed.
type pubChallengeToken struct {
	Nonce  string `json:"n"`
	Issued int64  `json:"i"` // unix seconds, by the challenge service's clock
	Bits   int    `json:"b"`
	Wait   int    `json:"w"` // seconds a browser without JavaScript waits
	Form   string `json:"f"` // binds the challenge to the flow it was shown with
}

// pubChallengeView is what the confirm page shows of a challenge.
type pubChallengeView struct {
	Token string
	Bits  int
	Wait  int
}

// flowBinding is a digest of the flow, so a challenge passes only with the
// booking it was issued for.
func (c *pubStep) flowBinding() string {
	raw, _ := json.Marshal(c.f)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// challengeActive reports whether the form must carry a proof now. An
// error reading the settings leaves the form open: the challenge only
// protects, it must never stop bookings.
func (c *pubStep) challengeActive() (challenge.Settings, bool) {
	svc := c.s.ui.Challenge
	if svc == nil {
		return challenge.Settings{}, false
	}
	st, on, err := svc.Active(c.r.Context())
	if err != nil {
		slog.ErrorContext(c.r.Context(), "challenge settings", "err", err.Error())
	}
	return st, on
}

// newChallenge issues a challenge for the confirm page.
func (c *pubStep) newChallenge(st challenge.Settings) *pubChallengeView {
	t := pubChallengeToken{Nonce: rand.Text(), Issued: c.s.ui.Challenge.Now().Unix(), Bits: st.Bits, Wait: st.WaitSeconds, Form: c.flowBinding()}
	sealed, err := pubSeal(c.key, sealChallenge, t, challenge.TTL, c.at)
	if err != nil {
		return nil
	}
	return &pubChallengeView{Token: sealed, Bits: t.Bits, Wait: t.Wait}
}

// passChallenge checks the submitted proof when one is needed (or given)
// and spends it. When it does not pass, it shows the confirm page again
// with a message and returns false.
func (c *pubStep) passChallenge() bool {
	st, on := c.challengeActive()
	if c.s.ui.Challenge != nil {
		c.s.ui.Challenge.NoteSubmit()
	}
	sealed := c.r.PostFormValue("pow")
	if sealed == "" && !on {
		return true
	}
	var t pubChallengeToken
	if sealed == "" || pubUnseal(c.key, sealChallenge, sealed, &t, c.at) != nil || t.Form != c.flowBinding() {
		c.addError("", "err.challenge_required")
		c.challengePage(http.StatusTooManyRequests, c.newChallenge(st))
		return false
	}
	now := c.s.ui.Challenge.Now()
	solved := challenge.Solved(sealed, c.r.PostFormValue("pow_n"), t.Bits)
	ready := time.Unix(t.Issued+int64(t.Wait), 0)
	if !solved && now.Before(ready) {
		c.addError("", "err.challenge_wait", int(ready.Sub(now).Seconds()+0.999))
		c.challengePage(http.StatusTooManyRequests, &pubChallengeView{Token: sealed, Bits: t.Bits, Wait: t.Wait})
		return false
	}
	if err := c.s.ui.Challenge.Spend(c.r.Context(), t.Nonce, time.Unix(t.Issued, 0)); err != nil {
		if apperr.CodeOf(err) != challenge.CodeUsed {
			c.s.fail(c.w, c.r, err)
			return false
		}
		c.addError("", "err.challenge_used")
		c.challengePage(http.StatusConflict, c.newChallenge(st))
		return false
	}
	return true
}
