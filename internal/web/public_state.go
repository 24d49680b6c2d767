package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
)

// The booking site keeps no server session for residents. What a resident
// entered so far travels with the form as one hidden field ("s"), and what
// the done and manage pages need travels in a cookie; both are sealed: the
// JSON is followed by an HMAC-SHA256 over a purpose label and the JSON, so
// a page can only send back what this server produced, for that purpose,
// before it expires. Nothing in them is secret from the resident (it is
// what they typed, or their own booking code and manage token), so they
// are signed, not encrypted. The booking engine still checks every person
// and every slot when the booking is made; the seal keeps the steps
// consistent (the people checked at the first step are the people booked).

// Purposes of sealed values; a value sealed for one is refused by another.
const (
	sealFlow    = "kofu/booking-flow/v1"
	sealReceipt = "kofu/booking-receipt/v1"
	sealManage  = "kofu/booking-manage/v1"
)

// Lifetimes of sealed values.
const (
	flowTTL    = 2 * time.Hour
	receiptTTL = time.Hour
	manageTTL  = 30 * time.Minute
)

var pubErrSeal = errors.New("web: sealed value invalid or expired")

// pubFormKeySource gives the key that seals the booking forms: the booking
// service derives it from the data key, the same in every process.
type pubFormKeySource interface {
	FormKey(ctx context.Context) ([]byte, error)
}

// pubPublicKeys hands out the sealing key, loaded once per process.
type pubPublicKeys struct {
	src pubFormKeySource
	mu  sync.Mutex
	key []byte
}

func pubNewPublicKeys(src pubFormKeySource) *pubPublicKeys { return &pubPublicKeys{src: src} }

// get loads the shared key once per process.
func (k *pubPublicKeys) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	key, err := k.src.FormKey(ctx)
	if err != nil {
		return nil, err
	}
	k.key = key
	return key, nil
}

// pubSealed is the envelope: the value and when it expires.
type pubSealed struct {
	Exp int64           `json:"exp"`
	V   json.RawMessage `json:"v"`
}

func pubMac(key []byte, purpose string, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)
}

// pubSeal returns v as "payload.mac", valid for ttl from now.
func pubSeal(key []byte, purpose string, v any, ttl time.Duration, pubNow time.Time) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(pubSealed{Exp: pubNow.Add(ttl).Unix(), V: raw})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(pubMac(key, purpose, payload)), nil
}

// pubUnseal checks s and decodes its value into v.
func pubUnseal(key []byte, purpose, s string, v any, pubNow time.Time) error {
	p, m, ok := strings.Cut(s, ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(m)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(sum, pubMac(key, purpose, payload)) {
		return pubErrSeal
	}
	var env pubSealed
	if err := json.Unmarshal(payload, &env); err != nil || pubNow.Unix() > env.Exp {
		return pubErrSeal
	}
	if err := json.Unmarshal(env.V, v); err != nil {
		return pubErrSeal
	}
	return nil
}
