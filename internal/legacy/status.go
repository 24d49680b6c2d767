package legacy

import (
	"strings"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
)

// statusWords is the explicit table from the words written in the city's
// ledger to card statuses. A word not in it is a row error: the import
// never guesses a status. Words are compared after NFKC with spaces
// removed (交付 済 = 交付済).
//
// Left out on purpose: 保留 (a hold needs the status it was taken from and
// a period), 予約済 (needs a booking), 郵送済 (needs the at-application
// method) and 廃止 (needs a cancellation reason): such cards are entered
// with their last plain status and then moved on the card page.
func statusWords() map[string]card.Status {
	return map[string]card.Status{
		"入荷済":    card.StatusArrived,
		"入荷済み":   card.StatusArrived,
		"交付前設定済": card.StatusSetupDone,
		"設定済":    card.StatusSetupDone,
		"通知済":    card.StatusNoticeSent,
		"通知済み":   card.StatusNoticeSent,
		"通知書発送済": card.StatusNoticeSent,
		"返戻":     card.StatusNoticeReturned,
		"通知書返戻":  card.StatusNoticeReturned,
		"交付済":    card.StatusIssued,
		"交付済み":   card.StatusIssued,
		"廃棄待ち":   card.StatusDisposalPending,
		"廃棄":     card.StatusDisposed,
		"廃棄済":    card.StatusDisposed,
		"廃棄済み":   card.StatusDisposed,
	}
}

// StatusOf maps a status word of the ledger; ok is false for a word not
// in the table.
func StatusOf(word string) (card.Status, bool) {
	s, ok := statusWords()[normalizeWord(word)]
	return s, ok
}

// StatusWords lists the known words, for the staff guide and error texts.
func StatusWords() []string {
	return []string{"入荷済", "交付前設定済", "通知済", "返戻", "交付済", "廃棄待ち", "廃棄"}
}

func normalizeWord(s string) string { return strings.ReplaceAll(jlis.NormalizeHeader(s), "　", "") }
