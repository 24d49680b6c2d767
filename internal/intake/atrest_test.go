package intake

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A J-LIS import, an update of the same cards and a rejected row leave no
// birth date, notice number or 宛名番号 of the file readable in the SQLite
// files or a pg_dump: not in the ledger, the raw rows, the import report,
// the card history or the staged upload.
func TestImportedIdentifiersAreNotInTheFilesOrADump(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.UseKeys(storetest.Keys())
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			s := newService(db)
			first := deliveryFileFrom(0, 300)
			if res := importBytes(t, s, first, false); res.Created != 300 {
				t.Fatalf("created %d: %+v", res.Created, res.Rejected)
			}
			// The same cards again with new birth dates (an update), and a
			// row whose date is wrong (a rejection quoting the line).
			second := withRejectedRow(bytes.ReplaceAll(first, []byte(",1930"), []byte(",1929")))
			if res := importBytes(t, s, second, false); res.Updated == 0 || len(res.Rejected) != 1 {
				t.Fatalf("second import: %d updated, rejected %+v", res.Updated, res.Rejected)
			}
			if id, _, err := s.Preview(ctx, staff, auth.Meta{}, "納品.csv", bytes.NewReader(first)); err != nil || id == 0 {
				t.Fatalf("preview (a staged upload): %v", err)
			}
			n := importNeedles(t, first, second)
			data := storetest.Dump(t, e, dsn)
			if !bytes.Contains(data, []byte("B000")) { // a box name: stored as it is
				t.Fatal("control: a box name is not in the bytes read")
			}
			storetest.AssertNoHits(t, string(e), data, n)
		})
	}
}

// withRejectedRow appends a row whose birth date does not exist.
func withRejectedRow(file []byte) []byte {
	row, err := japanese.ShiftJIS.NewEncoder().String(fmt.Sprintf("%023d,Z99-777001,7770001,誤日　太郎,ゴビ　タロウ,19821345,男,669-1595,兵庫県三田市三輪1丁目,2026/11/1,B999\r\n", 99_999))
	if err != nil {
		panic(err)
	}
	return append(bytes.Clone(file), row...)
}

// importNeedles reads the identifiers out of the delivery files.
func importNeedles(t *testing.T, files ...[]byte) storetest.Needles {
	t.Helper()
	n := storetest.Needles{}
	for _, f := range files {
		text, err := japanese.ShiftJIS.NewDecoder().Bytes(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(text), "\r\n")[1:] {
			cols := strings.Split(line, ",")
			if len(cols) < 6 {
				continue
			}
			n.Add("notice_number", cols[1])
			n.Add("resident_number", cols[2])
			if d := cols[5]; len(d) == 8 && d[4:6] <= "12" {
				n.AddBirthDate(d[:4] + "-" + d[4:6] + "-" + d[6:])
			} else {
				n.Add("birth_date", d)
			}
		}
	}
	return n
}
