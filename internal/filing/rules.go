package filing

import (
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/reserve"
)

// CodeRules read notice numbers and booking codes on scanned pages with
// the ledger's and the booking service's own normalisers, so each format
// is decided in one place.
func CodeRules() document.Rules {
	return document.Rules{
		Notice: func(s string) (string, bool) {
			v, err := ledger.NormalizeNoticeNumber(s)
			return v, err == nil && v != ""
		},
		Booking: reserve.NormalizeCode,
	}
}
