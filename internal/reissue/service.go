package reissue

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

const (
	maxTextRunes  = 200
	maxRequestKey = 64
	listLimit     = 1000
)

// Service carries out the reissue use cases.
type Service struct {
	db    *store.DB
	clock clock.Clock
	loc   *time.Location
}

// New returns the service; loc is the city's time zone, which decides the
// date of a receipt and its fiscal year.
func New(db *store.DB, c clock.Clock, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, clock: c, loc: loc}
}

// Today is the city's date now (YYYY-MM-DD).
func (s *Service) Today() string { return s.clock.Now().In(s.loc).Format(time.DateOnly) }

// Input is a reissue as staff register it. The resident is named by the
// card being replaced (CardID or its NoticeNumber) or by the 宛名番号.
type Input struct {
	CardID         int64
	NoticeNumber   string
	ResidentNumber string
	Reason         string
	ReasonDetail   string
	Chargeable     bool
	FreeReason     string
	FreeDetail     string
	Certificate    bool // a new electronic certificate is issued with the card
	FastTrack      bool // 特急発行
	// RequestKey, when set, makes a resubmission (a double click, a retry
	// after a timeout) return the reissue the first one stored.
	RequestKey string
}

func fieldErr(field, msg string) error {
	return apperr.WithFields(msg, []apperr.FieldError{{Field: field, Message: msg}})
}

// check cleans and validates what does not need the database.
func (in *Input) check() error {
	in.ReasonDetail, in.FreeDetail = strings.TrimSpace(in.ReasonDetail), strings.TrimSpace(in.FreeDetail)
	// Full-width digits typed on a Japanese keyboard are narrowed, as the
	// ledger stores them.
	in.NoticeNumber = strings.ToUpper(strings.TrimSpace(norm.NFKC.String(in.NoticeNumber)))
	in.ResidentNumber = strings.TrimSpace(norm.NFKC.String(in.ResidentNumber))
	in.RequestKey = strings.TrimSpace(in.RequestKey)
	var fe apperr.Fields
	add := func(f, m string) { fe.Add(f, m) }
	named := 0
	for _, set := range []bool{in.CardID != 0, in.NoticeNumber != "", in.ResidentNumber != ""} {
		if set {
			named++
		}
	}
	if named != 1 {
		add("resident_number", "カード、交付通知書番号、宛名番号のどれか一つで住民を指定してください。")
	}
	if ReasonLabel(in.Reason) == "" {
		add("reason", "再交付の理由を選んでください。")
	}
	if in.Reason == ReasonOther && in.ReasonDetail == "" {
		add("reason_detail", "理由が「その他」のときは内容を入力してください。")
	}
	if utf8.RuneCountInString(in.ReasonDetail) > maxTextRunes {
		add("reason_detail", "理由の内容は200文字以内で入力してください。")
	}
	in.checkFree(add)
	if len(in.RequestKey) > maxRequestKey {
		add("request_key", "request_key は64文字以内にしてください。")
	}
	if len(fe) > 0 {
		return apperr.WithFields("再交付の内容に誤りがあります。", fe)
	}
	return nil
}

// checkFree: a free reissue records why it is free; a chargeable one has
// no free reason.
func (in *Input) checkFree(add func(f, m string)) {
	switch {
	case in.Chargeable && (in.FreeReason != "" || in.FreeDetail != ""):
		add("free_reason", "有料の再交付には無料の理由を指定できません。")
	case in.Chargeable:
	case FreeReasonLabel(in.FreeReason) == "":
		add("free_reason", "無料にする理由を選んでください。")
	case in.FreeReason == FreeOrdinance && in.FreeDetail == "":
		add("free_detail", "「その他、条例による免除」のときは内容を入力してください。")
	}
	if utf8.RuneCountInString(in.FreeDetail) > maxTextRunes {
		add("free_detail", "無料の理由の内容は200文字以内で入力してください。")
	}
}

// Register stores a reissue with its fee computed from the current fee
// settings and, when chargeable, the next receipt number of the fiscal
// year. The reissue and its audit entry are written together.
func (s *Service) Register(ctx context.Context, p auth.Principal, m auth.Meta, in Input) (store.Reissue, error) {
	if err := in.check(); err != nil {
		return store.Reissue{}, err
	}
	var x store.Reissue
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) { x, err = s.register(ctx, tx, p, m, in); return err })
	if apperr.Is(err, apperr.Conflict) && in.RequestKey != "" {
		// The same form was sent twice at once: the other request stored it.
		if prev, perr := s.byRequestKey(ctx, in.RequestKey); perr == nil {
			return prev, nil
		}
	}
	return x, err
}

func (s *Service) byRequestKey(ctx context.Context, key string) (store.Reissue, error) {
	var x store.Reissue
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { x, err = tx.ReissueByRequestKey(ctx, key); return err })
	return x, err
}

func (s *Service) register(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, in Input) (store.Reissue, error) {
	if in.RequestKey != "" {
		prev, err := tx.ReissueByRequestKey(ctx, in.RequestKey)
		if err == nil || !apperr.Is(err, apperr.NotFound) {
			return prev, err
		}
	}
	x, err := s.resolve(ctx, tx, in)
	if err != nil {
		return x, err
	}
	fees, err := loadFees(ctx, tx)
	if err != nil {
		return x, err
	}
	if err := s.charge(ctx, tx, &x, fees.Compute(in.Chargeable, in.Certificate, in.FastTrack)); err != nil {
		return x, err
	}
	x.Reason, x.ReasonDetail, x.Chargeable = in.Reason, in.ReasonDetail, in.Chargeable
	x.FreeReason, x.FreeDetail, x.Certificate, x.FastTrack = in.FreeReason, in.FreeDetail, in.Certificate, in.FastTrack
	x.ActorID, x.Actor, x.RequestKey = p.UserID, p.Username, in.RequestKey
	if err := tx.InsertReissue(ctx, &x); err != nil {
		return x, err
	}
	if err := s.audit(ctx, tx, p, m, "reissue.registered", residentTarget(x.ResidentID), registeredDetail(x)); err != nil {
		return x, err
	}
	return tx.ReissueByID(ctx, x.ID)
}

// charge sets the fee, the date and, for a fee, the receipt number.
func (s *Service) charge(ctx context.Context, tx *store.Tx, x *store.Reissue, c Charge) error {
	now := s.clock.Now()
	local := now.In(s.loc)
	x.FeeType, x.CardAmount, x.CertificateAmount, x.Amount = c.FeeType, c.CardAmount, c.CertificateAmount, c.Amount
	x.ReceivedOn, x.CreatedAt = local.Format(time.DateOnly), now
	if c.FeeType == FeeFree {
		return nil
	}
	fy := FiscalYear(local)
	n, err := tx.NextReceiptNumber(ctx, fy)
	if err != nil {
		return err
	}
	x.ReceiptNumber = ReceiptNumber(fy, n)
	return nil
}

// resolve finds the resident (and card) the input names.
func (s *Service) resolve(ctx context.Context, tx *store.Tx, in Input) (store.Reissue, error) {
	var x store.Reissue
	switch {
	case in.CardID != 0:
		rec, err := tx.CardByID(ctx, in.CardID)
		if apperr.Is(err, apperr.NotFound) {
			return x, fieldErr("card_id", "カードが見つかりません。")
		}
		x.CardID, x.ResidentID = rec.ID, rec.Resident.ID
		return x, err
	case in.NoticeNumber != "":
		rec, err := tx.CardByNoticeNumber(ctx, in.NoticeNumber)
		if apperr.Is(err, apperr.NotFound) {
			return x, fieldErr("notice_number", "交付通知書番号 "+in.NoticeNumber+" のカードは台帳にありません。")
		}
		x.CardID, x.ResidentID = rec.ID, rec.Resident.ID
		return x, err
	}
	r, err := tx.ResidentByNumber(ctx, in.ResidentNumber)
	if apperr.Is(err, apperr.NotFound) {
		return x, fieldErr("resident_number", "宛名番号 "+in.ResidentNumber+" の住民は台帳にありません。")
	}
	x.ResidentID = r.ID
	return x, err
}

func registeredDetail(x store.Reissue) map[string]any {
	d := map[string]any{"reissue_id": x.ID, "reason": x.Reason, "fee_type": x.FeeType, "amount": x.Amount,
		"chargeable": x.Chargeable, "certificate": x.Certificate, "fast_track": x.FastTrack}
	if x.ReceiptNumber != "" {
		d["receipt_number"] = x.ReceiptNumber
	}
	if x.CardID != 0 {
		d["card_id"] = x.CardID
	}
	if !x.Chargeable {
		d["free_reason"] = x.FreeReason
	}
	return d
}

// Void marks a reissue voided (取消) with a reason. Nothing is deleted:
// the receipt number stays used and the daily report of the void's date
// shows it.
func (s *Service) Void(ctx context.Context, p auth.Principal, m auth.Meta, id int64, reason string) (store.Reissue, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return store.Reissue{}, fieldErr("void_reason", "取消の理由を入力してください。")
	case utf8.RuneCountInString(reason) > maxTextRunes:
		return store.Reissue{}, fieldErr("void_reason", "取消の理由は200文字以内で入力してください。")
	}
	var x store.Reissue
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if x, err = tx.ReissueByID(ctx, id); err != nil {
			return notFound(err)
		}
		now := s.clock.Now()
		x.VoidReason, x.VoidedOn, x.VoidedAt, x.VoiderID, x.Voider = reason, now.In(s.loc).Format(time.DateOnly), now, p.UserID, p.Username
		ok, err := tx.VoidReissue(ctx, &x)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "この再交付はすでに取り消されています。")
		}
		x.Voided = true
		sealed, err := tx.Seal(reason, "audit_log.q") // staff's words may be personal: sealed, as the log viewer opens them
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "reissue.voided", residentTarget(x.ResidentID), map[string]any{
			"reissue_id": x.ID, "receipt_number": x.ReceiptNumber, "amount": x.Amount, "reason": sealed})
	})
	return x, err
}

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "再交付の記録が見つかりません。")
	}
	return err
}

// Get returns one reissue and records that p viewed it.
func (s *Service) Get(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (store.Reissue, error) {
	var x store.Reissue
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { x, err = tx.ReissueByID(ctx, id); return notFound(err) })
	if err != nil {
		return x, err
	}
	return x, s.logRead(ctx, p, m, "reissue.viewed", residentTarget(x.ResidentID), map[string]any{"reissue_id": id})
}

// Filter is what the list is searched by (dates YYYY-MM-DD, inclusive).
type Filter struct {
	ResidentNumber string // 宛名番号
	From, To       string
	Reason         string
	FeeType        string
	Status         string // "", "valid" or "voided"
}

func (f Filter) store() (store.ReissueFilter, error) {
	var fe apperr.Fields
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v != "" && !validDate(d.v) {
			fe.Add(d.field, "日付は YYYY-MM-DD で入力してください。")
		}
	}
	if f.Reason != "" && ReasonLabel(f.Reason) == "" {
		fe.Add("reason", "理由の指定が正しくありません。")
	}
	if f.FeeType != "" && FeeTypeLabel(f.FeeType) == "" {
		fe.Add("fee_type", "手数料の区分の指定が正しくありません。")
	}
	out := store.ReissueFilter{ResidentNumber: strings.TrimSpace(norm.NFKC.String(f.ResidentNumber)), From: f.From, To: f.To,
		Reason: f.Reason, FeeType: f.FeeType, Limit: listLimit}
	switch f.Status {
	case "":
	case "valid", "voided":
		v := f.Status == "voided"
		out.Voided = &v
	default:
		fe.Add("status", "状態の指定が正しくありません。")
	}
	if len(fe) > 0 {
		return out, apperr.WithFields("検索条件に誤りがあります。", fe)
	}
	return out, nil
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// List returns the reissues matching f (at most 1,000, oldest first) and
// records the search.
func (s *Service) List(ctx context.Context, p auth.Principal, m auth.Meta, f Filter) ([]store.Reissue, error) {
	sf, err := f.store()
	if err != nil {
		return nil, err
	}
	var out []store.Reissue
	err = s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.Reissues(ctx, sf); return err })
	if err != nil {
		return nil, err
	}
	return out, s.db.Update(ctx, func(tx *store.Tx) error {
		number, err := tx.Seal(f.ResidentNumber, "audit_log.q") // a 宛名番号 is kept sealed, as the log viewer opens it
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "reissue.listed", "reissues", map[string]any{
			"resident_number": number, "from": f.From, "to": f.To, "reason": f.Reason, "fee_type": f.FeeType, "status": f.Status, "count": len(out)})
	})
}

// History is one resident's reissues, oldest first.
type History struct {
	Resident store.Resident
	Reissues []store.Reissue
}

// History returns the reissues of a resident and records the read.
func (s *Service) History(ctx context.Context, p auth.Principal, m auth.Meta, residentID int64) (History, error) {
	var h History
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if h.Resident, err = tx.ReissueResidentByID(ctx, residentID); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.NotFound, "住民が見つかりません。")
			}
			return err
		}
		h.Reissues, err = tx.Reissues(ctx, store.ReissueFilter{ResidentID: residentID})
		return err
	})
	if err != nil {
		return h, err
	}
	return h, s.logRead(ctx, p, m, "reissue.history_viewed", residentTarget(residentID), map[string]any{"count": len(h.Reissues)})
}

// logRead records a read in a transaction of its own, as the ledger does:
// the read changes nothing, and the answer is only given once it is logged.
func (s *Service) logRead(ctx context.Context, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	return s.db.Update(ctx, func(tx *store.Tx) error { return s.audit(ctx, tx, p, m, action, target, detail) })
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

func residentTarget(id int64) string { return "resident:" + strconv.FormatInt(id, 10) }

// loadFees reads the fee settings; amounts never saved keep their defaults.
func loadFees(ctx context.Context, tx *store.Tx) (Fees, error) {
	f := DefaultFees()
	_, err := tx.LoadSetting(ctx, SettingsKey, &f)
	return f, err
}

// Fees returns the city's fee settings.
func (s *Service) Fees(ctx context.Context) (Fees, error) {
	var f Fees
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { f, err = loadFees(ctx, tx); return err })
	return f, err
}

// SaveFees validates and stores the fee settings (admins), recording the
// old and new amounts. Reissues already registered keep their fees.
func (s *Service) SaveFees(ctx context.Context, p auth.Principal, m auth.Meta, f Fees) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		old, err := loadFees(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, f, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "settings.reissue_fees_changed", "settings:"+SettingsKey,
			map[string]any{"old": old, "new": f})
	})
}
