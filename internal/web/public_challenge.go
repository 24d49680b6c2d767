package web

import (
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/challenge"
)

// flowBinding ties a challenge to the booking the confirm page shows.
func (c *pubStep) flowBinding() string { return challenge.Bind(c.f) }

// offerChallenge is the challenge the confirm page asks for now, if any.
func (c *pubStep) offerChallenge() *challenge.Offer {
	if c.s.ui.Challenge == nil {
		return nil
	}
	return c.s.ui.Challenge.OfferIfActive(c.r.Context(), c.flowBinding())
}

// passChallenge lets the submission through when no proof is needed or
// its proof holds. Otherwise it shows the confirm page again with the
// challenge and a message, and returns false.
func (c *pubStep) passChallenge() bool {
	if c.s.ui.Challenge == nil {
		return true
	}
	offer, err := c.s.ui.Challenge.Gate(c.r.Context(), c.r.PostFormValue("pow"), c.r.PostFormValue("pow_n"), c.flowBinding())
	if err == nil {
		return true
	}
	switch apperr.CodeOf(err) {
	case challenge.CodeRequired:
		c.addError("", "err.challenge_required")
	case challenge.CodeWait:
		c.addError("", "err.challenge_wait", offer.Remaining(c.s.ui.Challenge.Now()))
	case challenge.CodeUsed:
		c.addError("", "err.challenge_used")
	default:
		c.s.fail(c.w, c.r, err)
		return false
	}
	c.challengePage(statusFor(err), offer)
	return false
}
