package ledger

import (
	"context"
	"io"
	"strings"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// exportColumns are the columns of a card export, in order.
var exportColumns = []string{"交付通知書番号", "申請書ID", "氏名", "氏名カナ", "生年月日", "性別", "郵便番号", "住所",
	"状態", "交付方式", "発行日", "有効期限", "電子証明書", "納品日", "箱番号", "保管場所", "注意", "備考"}

// Export streams every card matching q (paging ignored) as CSV to w, with
// the city's 外字 table applied to names. The export and its conditions are
// recorded before the first row is written.
func (s *Service) Export(ctx context.Context, p auth.Principal, m auth.Meta, q Query, enc export.Encoding, w io.Writer) error {
	f, err := q.filter()
	if err != nil {
		return err
	}
	var total int
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		_, total, err = tx.SearchCards(ctx, withLimit(f, 1))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "card.exported", "cards", map[string]any{"filter": q.auditFilter(), "total": total, "encoding": enc})
	})
	if err != nil {
		return err
	}
	out := export.NewWriter(w, enc)
	if err := out.Header(exportColumns); err != nil {
		return err
	}
	return s.db.View(ctx, func(tx *store.Tx) error {
		table, err := tx.GaijiMap(ctx)
		if err != nil {
			return err
		}
		return tx.EachCard(ctx, f, func(rec store.CardRecord) error { return out.Row(exportRow(rec, table)) })
	})
}

// withLimit is f for counting: one row, in card ID order, so that no
// sealed name is decrypted to sort cards the count does not return.
func withLimit(f store.CardFilter, n int) store.CardFilter {
	f.Limit, f.Offset, f.Sort = n, 0, "id"
	return f
}

func exportRow(c store.CardRecord, table map[rune]string) []string {
	return []string{c.NoticeNumber, c.Application.ApplicationID, moji.ApplyGaiji(c.Resident.Name, table),
		moji.ApplyGaiji(c.Resident.NameKana, table), c.Resident.BirthDate, sexText(c.Resident.Sex), c.Resident.PostalCode,
		moji.ApplyGaiji(c.Resident.Address, table), c.Status.Label(), c.Application.Method.Label(), c.IssueDate,
		c.ExpiryDate, certText(c.Certificate), c.DeliveryDate, c.Box, c.StorageLocation, flagsText(c.Flags), c.Resident.Remarks}
}

func sexText(s string) string {
	return map[string]string{"male": "男", "female": "女"}[s]
}

func certText(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "有"
	}
	return "無"
}

func flagsText(flags []string) string {
	words := make([]string, len(flags))
	for i, f := range flags {
		words[i] = card.FlagLabel(f)
	}
	return strings.Join(words, " ")
}
