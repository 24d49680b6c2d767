package counter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// followToken is the unguessable part of the link a resident follows their
// ticket with: the ticket's ID and a MAC of it under the service's key.
// Nothing is stored, so checking in again prints the same link.
func (s *Service) followToken(id int64, day string) string {
	ids := strconv.FormatInt(id, 10)
	return ids + "-" + s.followMAC(ids, day)
}

func (s *Service) followMAC(ids, day string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("kofu ticket\x00" + ids + "\x00" + day))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// followID reads a follow token's ticket ID; the day is checked by the
// caller against the ticket's own (checkFollow).
func followID(token string) (int64, string, bool) {
	ids, mac, ok := strings.Cut(token, "-")
	id, err := strconv.ParseInt(ids, 10, 64)
	if !ok || err != nil || id <= 0 || len(mac) != 22 {
		return 0, "", false
	}
	return id, mac, true
}

func (s *Service) checkFollow(id int64, mac, day string) bool {
	return hmac.Equal([]byte(mac), []byte(s.followMAC(strconv.FormatInt(id, 10), day)))
}
