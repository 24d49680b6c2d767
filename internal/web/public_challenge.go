package web

import (
	"errors"
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// flowBinding ties a challenge to the booking the confirm page shows.
func (c *pubStep) flowBinding() string { return challenge.Bind(c.f) }

// offerChallenge is the challenge the confirm page asks for now, if any.
func (c *pubStep) offerChallenge() *challenge.Offer {
	if c.s.ui.Challenge == nil {
		return nil
	}
	return c.s.ui.Challenge.OfferIfActive(c.r.Context(), route.MetaOf(c.r).IP, c.flowBinding())
}

// passChallenge lets the submission through when no proof is needed or
// its challenge was met (proved). Otherwise it shows the confirm page
// again with the challenge and a message, and ok is false.
func (c *pubStep) passChallenge() (proved, ok bool) {
	if c.s.ui.Challenge == nil {
		return false, true
	}
	proved, offer, err := c.s.ui.Challenge.Gate(c.r.Context(), route.MetaOf(c.r).IP, c.r.PostFormValue("pow"),
		c.r.PostFormValue("pow_n"), c.flowBinding())
	if err == nil {
		return proved, true
	}
	switch apperr.CodeOf(err) {
	case challenge.CodeRequired:
		c.addError("", "err.challenge_required")
	case challenge.CodeWait:
		c.addError("", "err.challenge_wait", offer.Remaining(c.s.ui.Challenge.Now()))
	case challenge.CodeSolve:
		c.addError("", "err.challenge_solve")
	case challenge.CodeUsed:
		c.addError("", "err.challenge_used")
	default:
		c.s.fail(c.w, c.r, err)
		return false, false
	}
	c.challengePage(statusFor(err), offer)
	return false, false
}

// askProof shows the confirm page with a challenge to meet whatever the
// mode, for a booking a proof lets past a notice number's attempts
// (issue #14: a refusal would lock the resident out), and reports
// whether it did. Without the challenge service it shows nothing.
func (c *pubStep) askProof(err error) bool {
	if c.s.ui.Challenge == nil || !pubProvable(err) {
		return false
	}
	c.addError("", "err.challenge_notice")
	c.challengePage(http.StatusTooManyRequests, c.s.ui.Challenge.Require(c.r.Context(), route.MetaOf(c.r).IP, c.flowBinding()))
	return true
}

// pubProvable reports whether err is a limit a proof of work lifts.
func pubProvable(err error) bool {
	var le *reserve.LimitError
	return errors.As(err, &le) && le.Provable
}
