package surface

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// checked is an Input that passed the checks that need no database.
type checked struct {
	kind, value, detail, date, note string
	pending                         bool
}

func (s *Service) check(in Input) (checked, error) {
	c := checked{kind: trim(in.Kind), value: trim(in.NewValue), detail: trim(in.NewDetail), note: trim(in.Note), pending: in.Pending}
	if !validKind(c.kind) {
		return c, fieldErr(CodeKindInvalid, fieldKind, "変更の種類（住所・氏名・有効期限）を選んでください。")
	}
	if err := checkValue(&c); err != nil {
		return c, err
	}
	if err := checkDetail(&c); err != nil {
		return c, err
	}
	if runes(c.note) > maxNoteRunes {
		return c, fieldErr(CodeNoteTooLong, fieldNote, fmt.Sprintf("備考は%d文字以内で入力してください（%d文字）。", maxNoteRunes, runes(c.note)))
	}
	date, err := s.day(in.Date, "届出日・更新日")
	c.date = date
	return c, err
}

// checkValue checks the new value for its kind; an expiry date is read in
// any style the ledger accepts and stored as YYYY-MM-DD. Names keep every
// character as typed (外字 and IVS included): only outer spaces go.
func checkValue(c *checked) error {
	label := KindLabel(c.kind)
	if c.value == "" {
		return fieldErr(CodeValueRequired, fieldNewValue, "変更後の"+label+"を入力してください。")
	}
	limit := map[string]int{store.SurfaceAddress: maxAddressRunes, store.SurfaceName: maxNameRunes}[c.kind]
	if limit > 0 && runes(c.value) > limit {
		return fieldErr(CodeValueTooLong, fieldNewValue, fmt.Sprintf("変更後の%sは%d文字以内で入力してください（%d文字）。", label, limit, runes(c.value)))
	}
	if c.kind == store.SurfaceExpiry {
		d, err := ledger.ParseDate(c.value)
		if err != nil || d == "" {
			return fieldErr(CodeDateInvalid, fieldNewValue, "変更後の有効期限は日付（例: 2035-03-31）で入力してください。")
		}
		c.value = d
	}
	return nil
}

// checkDetail reads the optional postal code of an address (669-1595, any
// width) or kana of a name (half-width kana widened); an expiry date has
// none.
func checkDetail(c *checked) error {
	switch {
	case c.kind == store.SurfaceExpiry || c.detail == "":
		c.detail = ""
	case c.kind == store.SurfaceAddress:
		pc, err := ledger.NormalizePostalCode(c.detail)
		if err != nil {
			return fieldErr(CodeDetailInvalid, fieldNewDetail, "変更後の郵便番号は「669-1595」の形（数字7桁）で入力してください。")
		}
		c.detail = pc
	default:
		c.detail = moji.NormalizeKana(c.detail)
		if runes(c.detail) > maxNameRunes {
			return fieldErr(CodeDetailInvalid, fieldNewDetail, fmt.Sprintf("変更後のカナは%d文字以内で入力してください。", maxNameRunes))
		}
	}
	return nil
}

// day reads a date staff typed ("" is today); a day after today is refused.
func (s *Service) day(v, label string) (string, error) {
	if trim(v) == "" {
		return s.today(), nil
	}
	d, err := ledger.ParseDate(v)
	if err != nil || d == "" {
		return "", fieldErr(CodeDateInvalid, fieldDate, label+"は日付（例: 2026-04-01）で入力してください。")
	}
	if d > s.today() {
		return "", fieldErr(CodeDateInvalid, fieldDate, label+"に今日より後の日付は入力できません。")
	}
	return d, nil
}

// Register records a change for a card: written on the card now, or, when
// in.Pending, reported and still to be written (the card is flagged).
func (s *Service) Register(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in Input) (store.SurfaceUpdate, error) {
	c, err := s.check(in)
	if err != nil {
		return store.SurfaceUpdate{}, err
	}
	var u store.SurfaceUpdate
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if u, err = s.newUpdate(ctx, tx, p, rec, c); err != nil {
			return err
		}
		if err := s.write(ctx, tx, p, &rec, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "surface.registered", cardTarget(cardID), map[string]any{
			"surface_update_id": u.ID, "kind": u.Kind, "state": u.State})
	})
	return u, err
}

// newUpdate checks the card and stores the update.
func (s *Service) newUpdate(ctx context.Context, tx *store.Tx, p auth.Principal, rec store.CardRecord, c checked) (store.SurfaceUpdate, error) {
	if isVoid(rec.Status) {
		return store.SurfaceUpdate{}, coded(CodeCardVoid, fmt.Sprintf("「%s」のカードには券面更新を記録できません。", rec.Status.Label()))
	}
	old, oldDetail := currentValue(rec, c.kind), currentDetail(rec, c.kind)
	newDetail := cmp.Or(c.detail, oldDetail)
	if old == c.value && oldDetail == newDetail {
		return store.SurfaceUpdate{}, fieldErr(CodeValueUnchanged, fieldNewValue, "変更後の"+KindLabel(c.kind)+"が今の値と同じです。")
	}
	u := store.SurfaceUpdate{CardID: rec.ID, Kind: c.kind, OldValue: old, NewValue: c.value, OldDetail: oldDetail,
		NewDetail: newDetail, State: store.SurfaceDone,
		RequestedDate: c.date, DoneDate: c.date, Note: c.note, RegisteredAt: s.now(), RegistrarID: p.UserID,
		Registrar: p.Username, ClosedAt: s.now(), CloserID: p.UserID, Closer: p.Username}
	if c.pending {
		u.State, u.DoneDate, u.ClosedAt, u.CloserID, u.Closer = store.SurfacePending, "", time.Time{}, 0, ""
	}
	if n, err := pendingOfKind(ctx, tx, rec.ID, c.kind); err != nil || n > 0 {
		if err == nil {
			err = coded(CodeAlreadyPending, "このカードには未更新の"+KindLabel(c.kind)+"の届出があります。先にその記録を「更新済み」か「取消」にしてください。")
		}
		return u, err
	}
	return u, tx.InsertSurfaceUpdate(ctx, &u)
}

func pendingOfKind(ctx context.Context, tx *store.Tx, cardID int64, kind string) (int, error) {
	us, err := tx.CardSurfaceUpdates(ctx, cardID)
	n := 0
	for _, u := range us {
		if u.State == store.SurfacePending && u.Kind == kind {
			n++
		}
	}
	return n, err
}

// write brings the ledger in line with an update: a done one changes the
// resident or the card and leaves a history entry; the pending flag
// follows whether any update of the card is still pending.
func (s *Service) write(ctx context.Context, tx *store.Tx, p auth.Principal, rec *store.CardRecord, u store.SurfaceUpdate) error {
	cardChanged := false
	if u.State == store.SurfaceDone {
		var err error
		if cardChanged, err = s.apply(ctx, tx, rec, u); err != nil {
			return err
		}
	}
	flagChanged, err := syncFlag(ctx, tx, &rec.Card)
	if err != nil {
		return err
	}
	if cardChanged || flagChanged {
		if err := tx.UpdateCard(ctx, &rec.Card, s.now()); err != nil {
			return err
		}
	}
	return s.history(ctx, tx, p, rec.ID, u)
}

// history adds the update to the card's history: the value, and the
// detail when it changes too.
func (s *Service) history(ctx context.Context, tx *store.Tx, p auth.Principal, cardID int64, u store.SurfaceUpdate) error {
	ev := store.CardEvent{CardID: cardID, At: s.now(), ActorID: p.UserID, Actor: p.Username, Kind: store.EventEdit,
		Field: historyField(u.Kind), OldValue: u.OldValue, NewValue: u.NewValue, Reason: historyReason(u.State)}
	if u.OldValue != u.NewValue {
		if err := tx.InsertCardEvent(ctx, &ev); err != nil {
			return err
		}
	}
	if u.OldDetail == u.NewDetail {
		return nil
	}
	ev.ID, ev.Field, ev.OldValue, ev.NewValue = 0, detailField(u.Kind), u.OldDetail, u.NewDetail
	return tx.InsertCardEvent(ctx, &ev)
}

func historyReason(state string) string {
	switch state {
	case store.SurfacePending:
		return "券面更新の届出（券面は未更新）"
	case store.SurfaceWithdrawn:
		return "券面更新の届出を取消"
	}
	return "券面更新"
}

// apply writes a done update's new value into the ledger. It reports
// whether the card row changed (the resident is saved here).
func (s *Service) apply(ctx context.Context, tx *store.Tx, rec *store.CardRecord, u store.SurfaceUpdate) (bool, error) {
	switch u.Kind {
	case store.SurfaceExpiry:
		rec.ExpiryDate = u.NewValue
		return true, nil
	case store.SurfaceAddress:
		rec.Resident.Address, rec.Resident.PostalCode = u.NewValue, u.NewDetail
	case store.SurfaceName:
		rec.Resident.Name, rec.Resident.NameKana = u.NewValue, u.NewDetail
	}
	r := rec.Resident
	rec.Resident.HasGaiji = moji.HasPUA(r.Name) || moji.HasPUA(r.NameKana) || moji.HasPUA(r.Address)
	return false, tx.UpdateResident(ctx, rec.Resident, s.now())
}

// syncFlag sets or clears the pending flag from the stored updates and
// reports whether it changed.
func syncFlag(ctx context.Context, tx *store.Tx, c *store.Card) (bool, error) {
	n, err := tx.PendingSurfaceCount(ctx, c.ID)
	if err != nil {
		return false, err
	}
	switch {
	case n > 0 && !pendingFlag(*c):
		withFlag(c)
	case n == 0 && pendingFlag(*c):
		withoutFlag(c)
	default:
		return false, nil
	}
	return true, nil
}

// Complete records that a pending update was written on the card on date
// ("" is today). The ledger takes the new value and, when no other update
// of the card is pending, the card loses its flag.
func (s *Service) Complete(ctx context.Context, p auth.Principal, m auth.Meta, id int64, date string) (store.SurfaceUpdate, error) {
	day, err := s.day(date, "更新日")
	if err != nil {
		return store.SurfaceUpdate{}, err
	}
	return s.close(ctx, p, m, id, store.SurfaceDone, day, "surface.done")
}

// Withdraw closes a pending update that will not be written (registered by
// mistake, or the resident changed their mind); nothing in the ledger
// changes but the flag.
func (s *Service) Withdraw(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (store.SurfaceUpdate, error) {
	return s.close(ctx, p, m, id, store.SurfaceWithdrawn, "", "surface.withdrawn")
}

func (s *Service) close(ctx context.Context, p auth.Principal, m auth.Meta, id int64, state, day, action string) (store.SurfaceUpdate, error) {
	var u store.SurfaceUpdate
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		row, err := tx.SurfaceUpdateByID(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if u, err = closable(row, state, day); err != nil {
			return err
		}
		u.State, u.DoneDate, u.ClosedAt, u.CloserID, u.Closer = state, day, s.now(), p.UserID, p.Username
		if err := tx.CloseSurfaceUpdate(ctx, u); err != nil {
			return notPending(err)
		}
		if err := s.write(ctx, tx, p, &row.Card, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, action, cardTarget(row.Card.ID), map[string]any{
			"surface_update_id": u.ID, "kind": u.Kind})
	})
	return u, err
}

// closable checks that a row can be closed as state on day.
func closable(row store.SurfaceRow, state, day string) (store.SurfaceUpdate, error) {
	u := row.SurfaceUpdate
	switch {
	case u.State != store.SurfacePending:
		return u, coded(CodeNotPending, "この券面更新の記録はすでに「"+StateLabel(u.State)+"」です。")
	case state == store.SurfaceDone && isVoid(row.Card.Status):
		return u, coded(CodeCardVoid, fmt.Sprintf("「%s」のカードには券面更新を記録できません。取り消してください。", row.Card.Status.Label()))
	case state == store.SurfaceDone && day < u.RequestedDate:
		return u, fieldErr(CodeDateInvalid, fieldDate, "更新日に届出日（"+u.RequestedDate+"）より前の日付は入力できません。")
	}
	return u, nil
}

func notPending(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return coded(CodeNotPending, "この券面更新の記録は他の操作ですでに閉じられました。画面を開き直してください。")
	}
	return err
}
