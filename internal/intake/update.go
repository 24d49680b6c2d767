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
// ledger has: a later list may carry fewer columns.
func (r *run) update(ctx context.Context, row jlis.Row, rec store.CardRecord) error {
	in := cardOf(row)
	res := residentOf(row)
	changes := cardChanges(&rec.Card, in)
	changes = append(changes, residentChanges(&rec.Resident, res)...)
	if len(changes) == 0 {
		r.res.Unchanged++
		return nil
	}
	if taken, err := r.noticeTaken(ctx, rec.NoticeNumber, rec.ID); err != nil || taken {
		if taken {
			r.rejectNotice(row)
		}
		return err
	}
	if err := r.save(ctx, rec, changes); err != nil {
		return err
	}
	r.res.Updated++
	r.res.Warnings = append(r.res.Warnings, Warning{Line: row.Line, Kind: "updated",
		Detail: "登録済みのカード (申請書ID " + row.ApplicationID + ") を更新しました: " + labels(changes)})
	return nil
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
