package document

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Limits bound what one upload may cost. They are settings: the zero value
// of a field takes the default.
type Limits struct {
	MaxFileBytes int64 `json:"max_file_bytes"` // one file
	MaxDayBytes  int64 `json:"max_day_bytes"`  // all uploads of one day
	MaxPages     int   `json:"max_pages"`      // pages in one file
	MaxSide      int   `json:"max_side"`       // width or height of one page image, in pixels
	MaxPixels    int64 `json:"max_pixels"`     // width × height of one page image
}

// DefaultLimits fit an office scanner's output: a 100-page stack at
// 300 dpi is about 30-60 MB, and an A4 page at 600 dpi (4961 × 7016) is
// the largest image accepted. A page at the pixel limit takes about 35 MB
// as gray and 105 MB in full colour while it is read.
var DefaultLimits = Limits{
	MaxFileBytes: 100 << 20,
	MaxDayBytes:  2 << 30,
	MaxPages:     300,
	MaxSide:      10000,
	MaxPixels:    36_000_000,
}

// withDefaults fills the fields left zero.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxFileBytes > 0 {
		d.MaxFileBytes = l.MaxFileBytes
	}
	if l.MaxDayBytes > 0 {
		d.MaxDayBytes = l.MaxDayBytes
	}
	if l.MaxPages > 0 {
		d.MaxPages = l.MaxPages
	}
	if l.MaxSide > 0 {
		d.MaxSide = l.MaxSide
	}
	if l.MaxPixels > 0 {
		d.MaxPixels = l.MaxPixels
	}
	return d
}

// CheckSize refuses a file over the size limit of one file.
func (l Limits) CheckSize(size int64) error {
	l = l.withDefaults()
	if size > l.MaxFileBytes {
		return apperr.New(CodeTooLarge, fmt.Sprintf("ファイルが大きすぎます（%s、上限 %s）。ページを分けて取り込んでください。", mb(size), mb(l.MaxFileBytes)))
	}
	return nil
}

// CheckDay refuses an upload of size bytes when usedToday bytes were
// already stored today (the caller counts them).
func (l Limits) CheckDay(usedToday, size int64) error {
	l = l.withDefaults()
	if usedToday+size > l.MaxDayBytes {
		return apperr.New(CodeDayLimit, fmt.Sprintf("本日の取り込み量の上限（%s）を超えます（本日これまで %s）。明日取り込むか、管理者に上限の変更を依頼してください。", mb(l.MaxDayBytes), mb(usedToday)))
	}
	return nil
}

// checkPages refuses a file with more pages than allowed.
func (l Limits) checkPages(n int) error {
	if n > l.MaxPages {
		return apperr.New(CodeTooManyPages, fmt.Sprintf("ページ数が多すぎます（%d ページ、上限 %d ページ）。分けて取り込んでください。", n, l.MaxPages))
	}
	return nil
}

// checkImage refuses page images too large to decode, from the size the
// header claims: the pixels are never decoded.
func (l Limits) checkImage(page, w, h int) error {
	if w <= 0 || h <= 0 {
		return apperr.New(CodeCorrupt, fmt.Sprintf("%d ページ目の画像の大きさ（%d × %d）が正しくありません。", page, w, h))
	}
	if w > l.MaxSide || h > l.MaxSide || int64(w)*int64(h) > l.MaxPixels {
		return apperr.New(CodeImageTooLarge, fmt.Sprintf("%d ページ目の画像が大きすぎます（%d × %d ピクセル、上限 %d 万画素・一辺 %d ピクセル）。解像度を 300 dpi 程度にしてスキャンし直してください。",
			page, w, h, l.MaxPixels/10000, l.MaxSide))
	}
	return nil
}

func mb(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
