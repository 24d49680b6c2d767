package legacy

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kofu-oss/kofu/internal/hostile"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/xlsx"
)

// FuzzRead reads whatever it is given as a card ledger, within small
// limits: it never panics, every row names its Excel row, and a file it
// cannot read is refused with a coded *jlis.FileError. The seeds hold the
// sample, the bad ledger and the hostile files of issue #14.
func FuzzRead(f *testing.F) {
	var wide, bomb bytes.Buffer
	hostile.WideRows(&wide, 300)
	hostile.Bomb(&bomb, 12<<20)
	for _, seed := range [][]byte{legacytest.Sample(f), legacytest.BadLedger(f), wide.Bytes(), bomb.Bytes()} {
		f.Add(seed)
	}
	lim := xlsx.DefaultLimits()
	lim.UnzippedBytes, lim.Rows, lim.Merges = 8<<20, 300, 50
	f.Fuzz(func(t *testing.T, content []byte) {
		l, err := Read(content, Options{Today: today, Limits: lim})
		if err != nil {
			var fe *jlis.FileError
			if !errors.As(err, &fe) || fe.Code == "" || fe.Reason == "" {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		last := l.HeaderRow
		for _, r := range l.Rows {
			if r.Line <= last || r.Line > lim.Rows {
				t.Fatalf("row %d after row %d", r.Line, last)
			}
			last = r.Line
			for _, p := range r.Problems {
				if p.Line != r.Line || p.Code == "" {
					t.Fatalf("problem %+v of row %d", p, r.Line)
				}
			}
		}
	})
}
