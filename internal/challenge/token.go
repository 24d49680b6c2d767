package challenge

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// The codes of a submission that did not pass.
var (
	CodeRequired = apperr.Define("challenge_required", apperr.KindLimited) // no proof, or one for another form
	CodeWait     = apperr.Define("challenge_wait", apperr.KindLimited)     // no answer, and the wait is not over
	CodeSolve    = apperr.Define("challenge_solve", apperr.KindLimited)    // no answer to a challenge that only a proof passes
)

// token is a challenge as the client carries it, sealed.
type token struct {
	Nonce  string `json:"n"`
	Issued int64  `json:"i"` // unix seconds, by the service's clock
	Bits   int    `json:"b"`
	Wait   int    `json:"w"` // seconds a client without JavaScript waits; 0: only a proof passes
	Bind   string `json:"f"` // the form (booking request) it belongs to
}

// Offer is a challenge handed to a client: answer Token at Bits, or
// send it again without an answer from Ready on. A client past
// MaxUnsolved gets one that only an answer passes (WaitSeconds 0, no
// Ready).
type Offer struct {
	Token       string    `json:"token"`
	Bits        int       `json:"bits"`
	WaitSeconds int       `json:"wait_seconds"`
	Ready       time.Time `json:"ready_at,omitzero"`
}

// offerOf is the offer of a sealed challenge.
func offerOf(sealed string, t token) *Offer {
	o := &Offer{Token: sealed, Bits: t.Bits, WaitSeconds: t.Wait}
	if t.Wait > 0 {
		o.Ready = time.Unix(t.Issued+int64(t.Wait), 0)
	}
	return o
}

// SetKey sets the key that seals challenges; every instance must use the
// same one (a random key is drawn in New for a lone process).
func (s *Service) SetKey(key []byte) { s.key = key }

// Bind is a digest of a form's content that a challenge is tied to.
func Bind(form any) string {
	raw, _ := json.Marshal(form)
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// OfferIfActive issues a challenge for the form to the client (its
// address) when one is needed now.
func (s *Service) OfferIfActive(ctx context.Context, client, bind string) *Offer {
	st, on := s.activeOrOff(ctx)
	if !on {
		return nil
	}
	return s.issue(st, client, bind)
}

// Require issues a challenge for the form to the client whatever the
// mode: for a request a proof lets past a limit (a notice number's
// attempts, issue #14). Without readable settings, the defaults' numbers.
func (s *Service) Require(ctx context.Context, client, bind string) *Offer {
	st, err := s.Settings(ctx)
	if err != nil {
		s.log(ctx, err)
		st = DefaultSettings()
	}
	return s.issue(st, client, bind)
}

// activeOrOff is Active where an error reading the settings leaves the
// form open: the challenge only protects, it must never stop bookings.
func (s *Service) activeOrOff(ctx context.Context) (Settings, bool) {
	st, on, err := s.Active(ctx)
	if err != nil {
		s.log(ctx, err)
		return st, false
	}
	return st, on
}

// issue hands the client a challenge for the form: the open one it holds
// for the same form if any, so that a reload costs nothing, otherwise a
// new one, which only a proof passes once the client holds MaxUnsolved.
// Only those that waiting may pass are kept: the others cost nothing
// to issue again, so a client asking for many keeps no memory.
func (s *Service) issue(st Settings, client, bind string) *Offer {
	if sealed, ok := s.clients.reuse(client, bind); ok {
		if t, ok := s.open(sealed); ok {
			return offerOf(sealed, t)
		}
	}
	t := token{Nonce: rand.Text(), Issued: s.clock.Now().Unix(), Bits: st.Bits, Wait: st.WaitSeconds, Bind: bind}
	waitable := s.clients.waitAllowed(client)
	if !waitable {
		t.Wait = 0
	}
	sealed := s.seal(t)
	if waitable {
		s.clients.issued(client, held{nonce: t.Nonce, bind: bind, sealed: sealed, issued: time.Unix(t.Issued, 0)})
	}
	return offerOf(sealed, t)
}

// Gate decides on a booking submission of the client (its address) for
// the form bind with the sealed challenge and answer it carries (both ""
// when none). It counts the submission, and passes it when no proof is
// needed or the challenge was met (answered, or waited for where that is
// allowed), spending the challenge; proved says a challenge was met.
// Otherwise it returns the challenge to answer (the same one while the
// client waits) and an error coded CodeRequired, CodeWait, CodeSolve or
// CodeUsed.
func (s *Service) Gate(ctx context.Context, client, sealed, answer, bind string) (proved bool, offer *Offer, err error) {
	st, on := s.activeOrOff(ctx)
	s.NoteSubmit()
	if sealed == "" && !on {
		return false, nil, nil
	}
	t, ok := s.open(sealed)
	if !ok || t.Bind != bind {
		return false, s.issue(st, client, bind), apperr.New(CodeRequired, "混雑のため確認が必要です。表示された確認に答えてから、もう一度送信してください。")
	}
	solved, offer := Solved(sealed, answer, t.Bits), offerOf(sealed, t)
	switch now := s.clock.Now(); {
	case !solved && t.Wait == 0:
		return false, offer, apperr.New(CodeSolve, "確認の計算が必要です。JavaScript を有効にしてもう一度送信するか、しばらくしてからお試しください。")
	case !solved && now.Before(offer.Ready):
		return false, offer, apperr.New(CodeWait, fmt.Sprintf("確認のため、あと %d 秒待ってから送信してください。", offer.Remaining(now)))
	}
	if err := s.Spend(ctx, t.Nonce, time.Unix(t.Issued, 0)); err != nil {
		if apperr.CodeOf(err) == CodeUsed {
			return false, s.issue(st, client, bind), err
		}
		return false, nil, err
	}
	s.clients.used(client, t.Nonce, time.Unix(t.Issued, 0), solved)
	return true, nil, nil
}

// Remaining is the whole seconds left to wait at now.
func (o Offer) Remaining(now time.Time) int {
	d := o.Ready.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

const sealPurpose = "kofu booking challenge v1\x00"

// seal is the token as JSON, base64url, "." and its MAC; it expires TTL
// after it was issued.
func (s *Service) seal(t token) string {
	raw, _ := json.Marshal(t)
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + base64.RawURLEncoding.EncodeToString(s.mac(body))
}

func (s *Service) mac(body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(sealPurpose + body))
	return m.Sum(nil)
}

// open checks a sealed token's MAC and age.
func (s *Service) open(sealed string) (token, bool) {
	body, sig, ok := strings.Cut(sealed, ".")
	got, err1 := base64.RawURLEncoding.DecodeString(sig)
	raw, err2 := base64.RawURLEncoding.DecodeString(body)
	var t token
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(got, s.mac(body)) || json.Unmarshal(raw, &t) != nil {
		return token{}, false
	}
	if s.clock.Now().After(time.Unix(t.Issued, 0).Add(TTL)) {
		return token{}, false
	}
	return t, true
}
