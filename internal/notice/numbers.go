package notice

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// noticeLetters are the characters of a number's first part: upper case
// letters and digits without I and O, which a resident would misread as 1
// and 0.
const noticeLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

// newNoticeNumber draws a 交付通知書番号 (XXX-999999) at random.
func newNoticeNumber() (string, error) {
	b := make([]byte, 3)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(noticeLetters))))
		if err != nil {
			return "", err
		}
		b[i] = noticeLetters[n.Int64()]
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%06d", b, n.Int64()), nil
}

// freeNoticeNumber draws numbers until one is held by no card and was not
// drawn in this batch (taken). A handful of tries is plenty among 39
// thousand million numbers.
func freeNoticeNumber(ctx context.Context, tx *store.Tx, taken map[string]bool) (string, error) {
	for range 20 {
		n, err := newNoticeNumber()
		if err != nil {
			return "", err
		}
		if taken[n] {
			continue
		}
		_, err = tx.CardIDByNoticeNumber(ctx, n)
		switch {
		case apperr.Is(err, apperr.NotFound):
			taken[n] = true
			return n, nil
		case err != nil:
			return "", err
		}
	}
	return "", fmt.Errorf("notice: no free notice number after 20 draws")
}
