package demo

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// returnReasons are the ledger's return reasons, cycled through the
// demo's returned notices.
var returnReasons = []string{"address_unknown", "moved_unknown", "refused", "other"}

// seedHistory gives a demo card the mailings its status implies, with
// dates spread far enough back that the returned-notice, re-notice and
// disposal lists and the dashboard all have something to show under the
// default rules (notice valid 90 days, re-notice 14 days later, disposal
// after 12 months).
func seedHistory(ctx context.Context, tx *store.Tx, rec store.CardRecord, i int, now time.Time) error {
	if rec.Application.Method != card.MethodCounter {
		return nil
	}
	age := 20 + (i*37)%400 // days since the first notice
	post := func(kind string, daysAgo int, reason string) error {
		p := store.Posting{CardID: rec.ID, Kind: kind, Date: now.AddDate(0, 0, -daysAgo).Format("2006-01-02"),
			Reason: reason, Actor: "demo", CreatedAt: now}
		if kind != "return" {
			p.PostalCode, p.Address = rec.Resident.PostalCode, rec.Resident.Address
		}
		return tx.InsertPosting(ctx, &p)
	}
	switch rec.Status {
	case card.StatusNoticeSent, card.StatusReserved, card.StatusOnHold, card.StatusDisposalPending, card.StatusIssued:
		if rec.Status == card.StatusReserved || rec.Status == card.StatusIssued {
			age %= 60
		}
		if err := post("notice", age, ""); err != nil {
			return err
		}
		if rec.Status == card.StatusDisposalPending || (rec.Status == card.StatusNoticeSent && age > 150 && i%2 == 0) {
			if err := post("renotice", age-110, ""); err != nil {
				return err
			}
		}
	case card.StatusNoticeReturned:
		if err := post("notice", age, ""); err != nil {
			return err
		}
		if err := post("return", age-7, returnReasons[i%len(returnReasons)]); err != nil {
			return err
		}
	}
	switch {
	case rec.Status == card.StatusDisposalPending:
		return tx.PutDisposalProposal(ctx, store.Disposal{CardID: rec.ID, Rule: "renotice_expired", ProposedAt: now,
			Proposer: "demo", ProposalNote: "デモ用の架空データ"})
	case rec.Status == card.StatusNoticeSent && age > 300 && i%3 == 0:
		return tx.PutDisposalHold(ctx, store.DisposalHold{CardID: rec.ID, Reason: "長期入院中のため（デモ）",
			Until: now.AddDate(0, 6, 0).Format("2006-01-02"), Actor: "demo", CreatedAt: now})
	}
	return nil
}
