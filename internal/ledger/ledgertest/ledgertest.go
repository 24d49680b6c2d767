// Package ledgertest puts cards into a test database with little typing.
package ledgertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Created returns the creation time of seeded records.
func Created() time.Time { return time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC) }

// Seed describes a card to insert; empty fields get plain defaults.
type Seed struct {
	App      int // the application ID is this number in 23 digits; unique per test
	Notice   string
	Resident string // 宛名番号
	Name     string
	Kana     string
	Birth    string
	Sex      string
	Address  string
	Status   card.Status
	Method   card.Method
	Delivery string
	Box      string
	Storage  string
	Remarks  string
	Flags    []string
	Gaiji    bool
	Raw      []byte
}

// AppID returns the 23-digit application ID of number n.
func AppID(n int) string { return fmt.Sprintf("%023d", n) }

// Record returns the store record the seed describes.
func (s Seed) Record() store.CardRecord {
	rec := store.CardRecord{
		Resident: store.Resident{ResidentNumber: s.Resident, Name: or(s.Name, "見本　太郎"),
			NameKana: or(s.Kana, "ミホン　タロウ"), BirthDate: or(s.Birth, "1980-01-01"), Sex: s.Sex,
			PostalCode: "669-1595", Address: or(s.Address, "兵庫県三田市三輪2丁目1番1号"), HasGaiji: s.Gaiji, Remarks: s.Remarks},
		Application: store.Application{ApplicationID: AppID(s.App), Method: card.Method(or(string(s.Method), string(card.MethodCounter)))},
	}
	rec.Card = store.Card{NoticeNumber: s.Notice, DeliveryDate: s.Delivery, Box: s.Box,
		StorageLocation: s.Storage, Status: card.Status(or(string(s.Status), string(card.StatusArrived))),
		Flags: s.Flags, RawRow: s.Raw, CreatedAt: Created()}
	return rec
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// MustCard inserts the seed's card, application and resident.
func MustCard(tb testing.TB, db *store.DB, s Seed) store.CardRecord {
	tb.Helper()
	rec := s.Record()
	err := db.Update(tb.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(tb.Context(), &rec) })
	if err != nil {
		tb.Fatalf("seed card %+v: %v", s, err)
	}
	return rec
}
