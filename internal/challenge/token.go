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
const (
	CodeRequired = "challenge_required" // no proof, or one for another form
	CodeWait     = "challenge_wait"     // no answer, and the wait is not over
)

// token is a challenge as the client carries it, sealed.
type token struct {
	Nonce  string `json:"n"`
	Issued int64  `json:"i"` // unix seconds, by the service's clock
	Bits   int    `json:"b"`
	Wait   int    `json:"w"` // seconds a client without JavaScript waits
	Bind   string `json:"f"` // the form (booking request) it belongs to
}

// Offer is a challenge handed to a client: answer Token at Bits, or
// send it again without an answer from Ready on.
type Offer struct {
	Token       string    `json:"token"`
	Bits        int       `json:"bits"`
	WaitSeconds int       `json:"wait_seconds"`
	Ready       time.Time `json:"ready_at"`
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

// OfferIfActive issues a challenge for the form when one is needed now.
func (s *Service) OfferIfActive(ctx context.Context, bind string) *Offer {
	st, on := s.activeOrOff(ctx)
	if !on {
		return nil
	}
	return s.issue(st, bind)
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

func (s *Service) issue(st Settings, bind string) *Offer {
	t := token{Nonce: rand.Text(), Issued: s.clock.Now().Unix(), Bits: st.Bits, Wait: st.WaitSeconds, Bind: bind}
	return &Offer{Token: s.seal(t), Bits: t.Bits, WaitSeconds: t.Wait, Ready: time.Unix(t.Issued+int64(t.Wait), 0)}
}

// Gate decides on a booking submission for the form bind with the sealed
// challenge and answer it carries (both "" when none). It counts the
// submission, and passes it when no proof is needed or the proof holds,
// spending the challenge. Otherwise it returns the challenge to answer
// (the same one while the client waits) and an error coded CodeRequired,
// CodeWait or CodeUsed.
func (s *Service) Gate(ctx context.Context, sealed, answer, bind string) (*Offer, error) {
	st, on := s.activeOrOff(ctx)
	s.NoteSubmit()
	if sealed == "" && !on {
		return nil, nil
	}
	t, ok := s.open(sealed)
	if !ok || t.Bind != bind {
		return s.issue(st, bind), apperr.New(CodeRequired, "混雑のため確認が必要です。表示された確認に答えてから、もう一度送信してください。")
	}
	ready := time.Unix(t.Issued+int64(t.Wait), 0)
	if now := s.clock.Now(); !Solved(sealed, answer, t.Bits) && now.Before(ready) {
		offer := &Offer{Token: sealed, Bits: t.Bits, WaitSeconds: t.Wait, Ready: ready}
		return offer, apperr.New(CodeWait, fmt.Sprintf("確認のため、あと %d 秒待ってから送信してください。", offer.Remaining(now)))
	}
	if err := s.Spend(ctx, t.Nonce, time.Unix(t.Issued, 0)); err != nil {
		if apperr.CodeOf(err) == CodeUsed {
			return s.issue(st, bind), err
		}
		return nil, err
	}
	return nil, nil
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
