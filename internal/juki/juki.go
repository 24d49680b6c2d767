// Package juki reads the resident-register (住基) extract: a lookup of the
// city's residents, and cancellations it proposes for cards whose owners
// died or moved out. Staff confirm each proposal; nothing is cancelled
// automatically, and a card is linked to a register person only by 宛名番号
// or by name, birth date, sex and address together — never when two
// people share a name and birth date.
package juki

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service imports extracts and handles proposals.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	ledger *ledger.Service
}

// New returns the service; confirmations go through the ledger.
func New(db *store.DB, c clock.Clock, l *ledger.Service) *Service {
	return &Service{db: db, clock: c, ledger: l}
}

// maxExtract bounds an extract (a city of 110,000 is about 15 MB).
const maxExtract = 64 << 20

// columns are the extract's headers, in the order the fields are read.
var columns = []string{"宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "住基カード", "住民状態", "異動日"}

// reasons maps the statuses that end a card to its cancellation reason.
var reasons = map[string]card.CancelReason{"死亡": card.ReasonDeath, "転出": card.ReasonMovedOut}

// Result is what an import did.
type Result struct {
	Rows      int       `json:"rows"`
	Changed   int       `json:"changed"`
	Proposed  int       `json:"proposed"`
	Ambiguous []string  `json:"ambiguous"` // 宛名番号 not linked: same name and birth date as another person
	Rejected  []Problem `json:"rejected"`
}

// Problem is a line that was not read.
type Problem struct {
	Line   int    `json:"line"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Import reads an extract (UTF-8 with or without BOM, or CP932) in one
// transaction, updates the register and proposes cancellations.
func (s *Service) Import(ctx context.Context, p auth.Principal, m auth.Meta, r io.Reader) (Result, error) {
	people, res, err := read(r)
	if err != nil {
		return res, err
	}
	now := s.clock.Now()
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PreferIndexes(ctx); err != nil { // a city's extract has a row per resident
			return err
		}
		for _, rr := range people {
			changed, err := tx.PutRegisterResident(ctx, rr, now)
			if err != nil {
				return err
			}
			if changed {
				res.Changed++
			}
		}
		if err := s.propose(ctx, tx, people, &res); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.imported",
			Target: "register", IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"rows": res.Rows, "changed": res.Changed, "proposed": res.Proposed}}, now)
		return err
	})
	return res, err
}

// propose links each person who died or moved out to their waiting cards.
func (s *Service) propose(ctx context.Context, tx *store.Tx, people []store.RegisterResident, res *Result) error {
	for _, rr := range people {
		reason, ok := reasons[rr.Status]
		if !ok {
			continue
		}
		same, err := tx.SameNameAndBirth(ctx, rr.Name, rr.BirthDate)
		if err != nil {
			return err
		}
		if same > 1 {
			res.Ambiguous = append(res.Ambiguous, rr.ResidentNumber)
		}
		ids, err := tx.OpenCardsOf(ctx, rr, same == 1)
		if err != nil {
			return err
		}
		for _, id := range ids {
			isNew, err := tx.ProposeCancellation(ctx, id, rr.ResidentNumber, string(reason), s.clock.Now())
			if err != nil {
				return err
			}
			if isNew {
				res.Proposed++
			}
		}
	}
	return nil
}

// read decodes and checks the whole extract; any bad line refuses the
// file, so a partly wrong extract changes nothing.
func read(r io.Reader) ([]store.RegisterResident, Result, error) {
	res := Result{Rejected: []Problem{}, Ambiguous: []string{}}
	raw, err := io.ReadAll(io.LimitReader(r, maxExtract+1))
	if err != nil {
		return nil, res, err
	}
	if len(raw) > maxExtract {
		return nil, res, apperr.New(apperr.Invalid, "ファイルが大きすぎます (64 MB まで)。")
	}
	text, err := decode(raw)
	if err != nil {
		return nil, res, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	header, err := cr.Read()
	if err != nil || !sameHeader(header) {
		return nil, res, apperr.New(apperr.Invalid, "1 行目の見出しが住基の抽出データの形式ではありません: "+strings.Join(columns, ","))
	}
	var people []store.RegisterResident
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		res.Rows++
		rr, pr := parse(rec, err)
		if pr != nil {
			pr.Line = line
			res.Rejected = append(res.Rejected, *pr)
			continue
		}
		people = append(people, rr)
	}
	if len(res.Rejected) > 0 {
		return nil, res, apperr.New(apperr.Invalid, fmt.Sprintf("読み取れない行が %d 行あります。どの行も取り込んでいません。", len(res.Rejected)))
	}
	return people, res, nil
}

func decode(raw []byte) (string, error) {
	enc, err := moji.DetectEncoding(raw)
	if err != nil {
		return "", apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	if enc == moji.CP932 {
		s, _, err := moji.DecodeCP932(raw)
		if err != nil {
			return "", apperr.Wrap(apperr.Invalid, err.Error(), err)
		}
		return s, nil
	}
	return string(bytes.TrimPrefix(raw, []byte(moji.BOM))), nil
}

func sameHeader(h []string) bool {
	if len(h) < len(columns) {
		return false
	}
	for i, c := range columns {
		if jlis.NormalizeHeader(h[i]) != jlis.NormalizeHeader(c) {
			return false
		}
	}
	return true
}

// parse reads one line; a problem names why it was refused.
func parse(rec []string, err error) (store.RegisterResident, *Problem) {
	bad := func(code, reason string) (store.RegisterResident, *Problem) {
		return store.RegisterResident{}, &Problem{Code: code, Reason: reason}
	}
	if err != nil || len(rec) < len(columns) {
		return bad("columns", "列の数が足りません")
	}
	number := strings.TrimSpace(rec[0])
	if number == "" || strings.Trim(number, "0123456789") != "" {
		return bad("resident_number", "宛名番号が数字ではありません")
	}
	birth, err := jlis.ParseDate(rec[3])
	if err != nil {
		return bad("birth_date", "生年月日が読めません")
	}
	status := strings.TrimSpace(rec[7])
	if status != "住民" && reasons[status] == "" {
		return bad("status", "住民状態は「住民」「死亡」「転出」のいずれかです")
	}
	return store.RegisterResident{ResidentNumber: number, Name: strings.TrimSpace(rec[1]), NameKana: strings.TrimSpace(rec[2]),
		BirthDate: birth.String(), Sex: sexOf(rec[4]), Address: strings.TrimSpace(rec[5]),
		JukiCard: strings.TrimSpace(rec[6]) == "有", Status: status, MovedOn: strings.TrimSpace(rec[8])}, nil
}

func sexOf(s string) string {
	switch strings.TrimSpace(s) {
	case "男", "1":
		return "male"
	case "女", "2":
		return "female"
	}
	return ""
}
