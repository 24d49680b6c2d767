package intake

import (
	"context"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/store"
)

// change is one field that a later delivery file changes.
type change struct {
	field, label, old, new string
}

// update compares a known card with the row and applies what differs, each
// change with its history entry. Values the file leaves empty keep what the
// ledger has: a later list may carry fewer columns. A card read with the
// chunk is read again (and locked) before it is changed.
func (r *run) update(ctx context.Context, c *chunk, row jlis.Row, rec store.CardRecord, fresh bool) error {
	changes := changesOf(row, &rec)
	if len(changes) > 0 && !fresh {
		var err error
		if rec, err = r.tx.CardByID(ctx, rec.ID); err != nil {
			return err
		}
		changes = changesOf(row, &rec)
	}
	if len(changes) == 0 {
		r.res.Unchanged++
		return nil
	}
	if c.noticeTaken(rec.NoticeNumber, rec.ID) {
		r.rejectNotice(row)
		return nil
	}
	if err := r.save(ctx, rec, changes); err != nil {
		return err
	}
	c.note(rec, changes)
	r.res.Updated++
	r.res.warn(Warning{Line: row.Line, Kind: "updated",
		Detail: "登録済みのカード (申請書ID " + row.ApplicationID + ") を更新しました: " + labels(changes)})
	return nil
}

// changesOf applies the row to rec and returns what changed.
func changesOf(row jlis.Row, rec *store.CardRecord) []change {
	changes := cardChanges(&rec.Card, cardOf(row))
	return append(changes, residentChanges(&rec.Resident, residentOf(row))...)
}

// note records what a saved update changed in the keys later rows look up.
func (c *chunk) note(rec store.CardRecord, changes []change) {
	c.changedCards[rec.ID], c.changedResidents[rec.Resident.ID] = true, true
	for _, ch := range changes {
		switch ch.field {
		case "notice_number":
			c.notices[ch.old], c.notices[ch.new] = 0, rec.ID
		case "resident_number":
			c.residents[ch.old], c.residents[ch.new] = 0, rec.Resident.ID
		}
	}
}

func (r *run) save(ctx context.Context, rec store.CardRecord, changes []change) error {
	if err := r.tx.UpdateResident(ctx, rec.Resident, r.now); err != nil {
		return err
	}
	if err := r.tx.UpdateCard(ctx, &rec.Card, r.now); err != nil {
		return err
	}
	for _, c := range changes {
		ev := store.CardEvent{CardID: rec.ID, At: r.now, ActorID: r.p.UserID, Actor: r.p.Username, Kind: store.EventEdit,
			Field: c.field, OldValue: c.old, NewValue: c.new, Reason: "J-LIS 納品データの再取込 (" + r.res.FileName + ")"}
		if err := r.tx.InsertCardEvent(ctx, &ev); err != nil {
			return err
		}
	}
	return nil
}

func labels(cs []change) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return strings.Join(out, "、")
}

// set applies v to *dst when v is given and differs, recording the change.
func set(cs *[]change, field, label string, dst *string, v string) {
	if v == "" || *dst == v {
		return
	}
	*cs = append(*cs, change{field: field, label: label, old: *dst, new: v})
	*dst = v
}

func cardChanges(c *store.Card, in store.Card) []change {
	var cs []change
	set(&cs, "notice_number", "交付通知書番号", &c.NoticeNumber, in.NoticeNumber)
	set(&cs, "issue_date", "発行日", &c.IssueDate, in.IssueDate)
	set(&cs, "expiry_date", "有効期限", &c.ExpiryDate, in.ExpiryDate)
	set(&cs, "delivery_date", "納品日", &c.DeliveryDate, in.DeliveryDate)
	set(&cs, "box", "箱番号", &c.Box, in.Box)
	if in.Certificate != nil && (c.Certificate == nil || *c.Certificate != *in.Certificate) {
		cs = append(cs, change{field: "certificate", label: "電子証明書", old: boolText(c.Certificate), new: boolText(in.Certificate)})
		c.Certificate = in.Certificate
	}
	if slices.Contains(in.Flags, card.FlagGaiji) && !slices.Contains(c.Flags, card.FlagGaiji) {
		c.Flags = append(c.Flags, card.FlagGaiji)
	}
	return cs
}

func residentChanges(r *store.Resident, in store.Resident) []change {
	var cs []change
	set(&cs, "name", "氏名", &r.Name, in.Name)
	set(&cs, "name_kana", "氏名カナ", &r.NameKana, in.NameKana)
	set(&cs, "birth_date", "生年月日", &r.BirthDate, in.BirthDate)
	set(&cs, "sex", "性別", &r.Sex, in.Sex)
	set(&cs, "postal_code", "郵便番号", &r.PostalCode, in.PostalCode)
	set(&cs, "address", "住所", &r.Address, in.Address)
	set(&cs, "resident_number", "宛名番号", &r.ResidentNumber, in.ResidentNumber)
	if in.HasGaiji {
		r.HasGaiji = true
	}
	return cs
}

func boolText(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "有"
	}
	return "無"
}
