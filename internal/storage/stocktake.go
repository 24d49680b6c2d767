package storage

import (
	"context"
	"io"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/store"
)

// Kinds of stock-taking findings and scan outcomes.
const (
	FindingMissing   = "missing"     // the ledger keeps it here, nobody scanned it
	FindingMisplaced = "misplaced"   // scanned here, the ledger keeps it elsewhere
	FindingNotOnHand = "not_on_hand" // scanned, but the ledger says it left (issued, disposed...)
	FindingUnknown   = "unknown"     // scanned, not in the ledger
	ScanOK           = "ok"          // scanned where the ledger keeps it
	ScanDuplicate    = "duplicate"   // scanned in this session already
)

const sessionsLimit = 100

// FindingLabel is the Japanese name of a finding or scan outcome.
func FindingLabel(kind string) string {
	return map[string]string{FindingMissing: "未確認（台帳ではここにあるが読み取られていない）",
		FindingMisplaced: "場所違い（台帳では別の場所）", FindingNotOnHand: "在庫外（台帳では交付・廃棄・返送など）",
		FindingUnknown: "台帳にない番号", ScanOK: "確認済", ScanDuplicate: "読取済（重複）"}[kind]
}

// ScanResult is what staff see after each scan.
type ScanResult struct {
	Notice   string
	Outcome  string
	CardID   int64
	Status   card.Status
	Location string
}

// Finding is one line of a stock-taking report.
type Finding struct {
	Kind     string
	Notice   string
	CardID   int64
	Name     string
	NameKana string
	Status   card.Status
	Location string // where the ledger keeps the card
	Actor    string // who scanned it ("" for missing cards)
}

// Report compares a session's scans with what the ledger keeps at its
// place now.
type Report struct {
	Stocktake store.Stocktake
	Expected  int // cards the ledger keeps at the place
	Matched   int // of those, scanned
	Findings  []Finding
}

// StartStocktake opens a session for a place, or returns the place's open
// session so that staff on several PCs scan into one; joined tells which.
func (s *Service) StartStocktake(ctx context.Context, p auth.Principal, m auth.Meta, placeID int64) (st store.Stocktake, joined bool, err error) {
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		pl, err := tx.PlaceByID(ctx, placeID)
		if err != nil {
			return placeErr(err)
		}
		if st, err = tx.OpenStocktake(ctx, placeID); err == nil || !apperr.Is(err, apperr.NotFound) {
			joined = err == nil
			return err
		}
		st = store.Stocktake{PlaceID: pl.ID, PlacePath: pl.Path, StartedAt: s.clock.Now(), StarterID: p.UserID, Starter: p.Username}
		if err := tx.InsertStocktake(ctx, &st); err != nil {
			return err
		}
		return s.auditStocktake(ctx, tx, p, m, "storage.stocktake_started", st.ID, map[string]any{"path": pl.Path})
	})
	return st, joined, err
}

// Stocktakes lists the newest sessions (placeID 0: of every place).
func (s *Service) Stocktakes(ctx context.Context, placeID int64) ([]store.Stocktake, error) {
	var out []store.Stocktake
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.Stocktakes(ctx, placeID, sessionsLimit); return err })
	return out, err
}

// Stocktake returns one session.
func (s *Service) Stocktake(ctx context.Context, id int64) (store.Stocktake, error) {
	var st store.Stocktake
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { st, err = stocktakeByID(ctx, tx, id); return err })
	return st, err
}

func stocktakeByID(ctx context.Context, tx *store.Tx, id int64) (store.Stocktake, error) {
	st, err := tx.StocktakeByID(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return st, apperr.New(apperr.NotFound, "棚卸が見つかりません。")
	}
	return st, err
}

// Scan records one scanner input in an open session and tells what the
// ledger says of the card. A number scanned twice is recorded once.
func (s *Service) Scan(ctx context.Context, p auth.Principal, m auth.Meta, id int64, code string) (ScanResult, error) {
	notice := scan.NoticeNumber(code)
	if notice == "" {
		return ScanResult{}, unreadable()
	}
	res := ScanResult{Notice: notice}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		st, err := stocktakeByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.Status != store.StocktakeOpen {
			return apperr.New(apperr.Conflict, "この棚卸は終了しています。")
		}
		rec, err := tx.CardByNoticeNumber(ctx, notice)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		res.CardID, res.Status, res.Location = rec.ID, rec.Status, rec.StorageLocation
		added, err := tx.InsertStocktakeScan(ctx, id, notice, rec.ID, p.UserID, p.Username, s.clock.Now())
		if err != nil {
			return err
		}
		res.Outcome = outcome(added, rec.ID, rec.Status, rec.StorageLocation, st.PlacePath)
		return s.auditStocktake(ctx, tx, p, m, "storage.stocktake_scanned", id, map[string]any{
			"notice_number": notice, "card_id": rec.ID, "outcome": res.Outcome})
	})
	return res, err
}

// outcome classifies a scanned card against the session's place.
func outcome(added bool, cardID int64, status card.Status, location, path string) string {
	switch {
	case !added:
		return ScanDuplicate
	case cardID == 0:
		return FindingUnknown
	case !card.OnHand(status):
		return FindingNotOnHand
	case !Within(location, path):
		return FindingMisplaced
	}
	return ScanOK
}

// CloseStocktake ends a session; its report stays available.
func (s *Service) CloseStocktake(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		st, err := stocktakeByID(ctx, tx, id)
		if err != nil || st.Status != store.StocktakeOpen {
			return err
		}
		if err := tx.CloseStocktake(ctx, id, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.auditStocktake(ctx, tx, p, m, "storage.stocktake_closed", id, map[string]any{"path": st.PlacePath})
	})
}

// Report compares the session's scans with the ledger and records that p
// viewed the result.
func (s *Service) Report(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Report, error) {
	return s.report(ctx, p, m, id, "storage.stocktake_report_viewed")
}

func (s *Service) report(ctx context.Context, p auth.Principal, m auth.Meta, id int64, action string) (Report, error) {
	var r Report
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		st, err := stocktakeByID(ctx, tx, id)
		if err != nil {
			return err
		}
		scans, err := tx.StocktakeScans(ctx, id)
		if err != nil {
			return err
		}
		expected, err := tx.CardsAtPlace(ctx, st.PlacePath, OnHandStatuses(), 0)
		if err != nil {
			return err
		}
		r = compare(st, scans, expected)
		return s.auditStocktake(ctx, tx, p, m, action, id, map[string]any{"path": st.PlacePath,
			"expected": r.Expected, "matched": r.Matched, "findings": len(r.Findings)})
	})
	return r, err
}

// compare lists the scanned cards that are not where the ledger says, then
// the expected cards nobody scanned.
func compare(st store.Stocktake, scans []store.StocktakeScan, expected []store.CardRecord) Report {
	r := Report{Stocktake: st, Expected: len(expected), Findings: []Finding{}}
	scanned := map[int64]bool{}
	for _, x := range scans {
		scanned[x.CardID] = true
		kind := outcome(true, x.CardID, x.Status, x.Location, st.PlacePath)
		if kind == ScanOK {
			continue
		}
		r.Findings = append(r.Findings, Finding{Kind: kind, Notice: x.NoticeNumber, CardID: x.CardID, Name: x.Name,
			NameKana: x.NameKana, Status: x.Status, Location: x.Location, Actor: x.Actor})
	}
	for _, c := range expected {
		if scanned[c.ID] {
			r.Matched++
			continue
		}
		r.Findings = append(r.Findings, Finding{Kind: FindingMissing, Notice: c.NoticeNumber, CardID: c.ID,
			Name: c.Resident.Name, NameKana: c.Resident.NameKana, Status: c.Status, Location: c.StorageLocation})
	}
	return r
}

// ExportReport streams a session's findings as CSV, with the city's 外字
// table applied to names; the export is recorded first.
func (s *Service) ExportReport(ctx context.Context, p auth.Principal, m auth.Meta, id int64, enc export.Encoding, out io.Writer) error {
	r, err := s.report(ctx, p, m, id, "storage.stocktake_exported")
	if err != nil {
		return err
	}
	var table map[rune]string
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) { table, err = tx.GaijiMap(ctx); return err }); err != nil {
		return err
	}
	x := export.NewWriter(out, enc)
	if err := x.Header([]string{"区分", "交付通知書番号", "氏名", "氏名カナ", "状態", "台帳の保管場所", "読み取った職員"}); err != nil {
		return err
	}
	for _, f := range r.Findings {
		row := []string{FindingLabel(f.Kind), f.Notice, moji.ApplyGaiji(f.Name, table), moji.ApplyGaiji(f.NameKana, table),
			statusLabel(f.Status), f.Location, f.Actor}
		if err := x.Row(row); err != nil {
			return err
		}
	}
	return nil
}

func statusLabel(s card.Status) string {
	if s == "" {
		return ""
	}
	return s.Label()
}

func (s *Service) auditStocktake(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action string, id int64, detail map[string]any) error {
	return s.auditTarget(ctx, tx, p, m, action, "stocktake:"+strconv.FormatInt(id, 10), detail)
}
