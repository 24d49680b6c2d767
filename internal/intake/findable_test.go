package intake

import (
	"bytes"
	"encoding/json"
	"testing"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Every imported card of the sample is found by its notice number (or its
// 申請書ID when the list has no notice number yet) and by a fragment of its
// kana typed in half-width, as staff at the counter do.
func TestEverySampleCardIsFindable(t *testing.T) {
	var people []struct {
		Line   int
		AppID  string `json:"appid"`
		Notice string
	}
	if err := json.Unmarshal(sample(t, "jlis-delivery-people.json"), &people); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		res, err := newService(db).ImportJLIS(ctx, staff, auth.Meta{}, bytes.NewReader(sample(t, "jlis-delivery-cp932.csv")), Options{})
		if err != nil {
			t.Fatal(err)
		}
		rejected := uniqueLines(res.Rejected)
		checked := 0
		for _, p := range people {
			if rejected[p.Line] {
				continue
			}
			err := db.View(ctx, func(tx *store.Tx) error {
				rec, err := tx.CardByApplicationID(ctx, p.AppID) // a notice number may come later
				if p.Notice != "" {
					rec, err = tx.CardByNoticeNumber(ctx, p.Notice)
				}
				if err != nil {
					t.Errorf("line %d: notice %s not found: %v", p.Line, p.Notice, err)
					return nil
				}
				kana := []rune(norm.NFKC.String(rec.Resident.NameKana)) // whole characters, dakuten included
				fragment := width.Narrow.String(string(kana[1:min(4, len(kana))]))
				found, _, err := tx.SearchCards(ctx, store.CardFilter{Query: fragment, Limit: 200})
				if err != nil {
					return err
				}
				for _, f := range found {
					if f.ID == rec.ID {
						checked++
						return nil
					}
				}
				t.Errorf("line %d: half-width kana %q does not find %q", p.Line, fragment, rec.Resident.NameKana)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if checked != res.Created {
			t.Fatalf("checked %d of %d cards", checked, res.Created)
		}
	})
}
