package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/store"
)

// demoRegisterSize is how many demo card holders the demo's resident
// register extract lists; every twentieth died or moved out, so the
// cancellation proposals list has work in it.
const demoRegisterSize = 120

// SeedRegister imports a resident register extract of the demo's card
// holders, unless the register holds anyone already. It returns the
// import's result.
func SeedRegister(ctx context.Context, db *store.DB, svc *juki.Service, now time.Time) (juki.Result, error) {
	var (
		existing []store.RegisterResident
		holders  []store.CardRecord
	)
	err := db.View(ctx, func(tx *store.Tx) (err error) {
		if existing, err = tx.RegisterResidents(ctx, "", "", 1); err != nil || len(existing) > 0 {
			return err
		}
		holders, _, err = tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusNoticeSent,
			card.StatusNoticeReturned, card.StatusSetupDone, card.StatusReserved}, Sort: "notice_number", Limit: demoRegisterSize})
		return err
	})
	if err != nil || len(existing) > 0 {
		return juki.Result{}, err
	}
	return svc.Import(ctx, auth.System("demo"), auth.Meta{}, bytes.NewReader(registerCSV(holders, now)))
}

// registerCSV writes the extract in the city's format (the columns of
// shared/samples/residents-utf8.csv).
func registerCSV(holders []store.CardRecord, now time.Time) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "住基カード", "住民状態", "異動日"})
	for i, h := range holders {
		r := h.Resident
		sex, held, status, moved := "男", "無", "住民", ""
		if r.Sex == "female" {
			sex = "女"
		}
		if i%4 == 0 {
			held = "有"
		}
		switch i % 20 {
		case 7:
			status, moved = "死亡", now.AddDate(0, 0, -10-i).Format("2006-01-02")
		case 13:
			status, moved = "転出", now.AddDate(0, 0, -5-i).Format("2006-01-02")
		}
		w.Write([]string{r.ResidentNumber, r.Name, r.NameKana, r.BirthDate, sex, r.Address, held, status, moved})
	}
	w.Flush()
	return b.Bytes()
}
