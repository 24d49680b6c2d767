package ledger

import (
	"context"
	"io"
	"strings"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// Lists that can be exported and printed.
const (
	ListRenotices = "renotices"
	ListDisposals = "disposals"
	ListReturns   = "returns" // printed only
)

// ExportList streams the whole renotices or disposals list as CSV to out,
// with the city's 外字 table applied to names and addresses. The export is
// recorded, with its cards, before the first row is written.
func (w *Workflows) ExportList(ctx context.Context, p auth.Principal, m auth.Meta, list string, enc export.Encoding, out io.Writer) error {
	var l ItemList
	var err error
	var cols []string
	var row func(Item, map[rune]string) []string
	switch list {
	case ListRenotices:
		l, err = w.renotices(ctx, p, m, ListQuery{Limit: -1}, "card.renotices_exported")
		cols, row = renoticeColumns(), renoticeRow
	default:
		l, err = w.disposalsDue(ctx, p, m, ListQuery{Limit: -1}, "card.disposals_exported")
		cols, row = disposalColumns(), disposalRow
	}
	if err != nil {
		return err
	}
	var table map[rune]string
	if err := w.db.View(ctx, func(tx *store.Tx) (err error) { table, err = tx.GaijiMap(ctx); return err }); err != nil {
		return err
	}
	x := export.NewWriter(out, enc)
	if err := x.Header(cols); err != nil {
		return err
	}
	for _, it := range l.Items {
		if err := x.Row(row(it, table)); err != nil {
			return err
		}
	}
	return nil
}

func renoticeColumns() []string {
	return []string{"交付通知書番号", "申請書ID", "氏名", "氏名カナ", "生年月日", "送付先郵便番号", "送付先住所",
		"通知日", "通知期限", "再通知の対象日", "注意"}
}

func renoticeRow(it Item, table map[rune]string) []string {
	c := it.Card
	return []string{c.NoticeNumber, c.Application.ApplicationID, moji.ApplyGaiji(c.Resident.Name, table),
		moji.ApplyGaiji(c.Resident.NameKana, table), c.Resident.BirthDate, it.MailTo.PostalCode,
		moji.ApplyGaiji(it.MailTo.Address, table), it.Dates.LastNotice, it.Assessment.NoticeDeadline,
		it.Assessment.RenoticeDueFrom, flagWords(it.Flags)}
}

func disposalColumns() []string {
	return []string{"交付通知書番号", "申請書ID", "氏名", "氏名カナ", "生年月日", "状態", "交付方式", "保管場所", "箱番号",
		"廃棄の理由", "対象日", "最初の通知日", "返戻日", "有効期限", "注意"}
}

func disposalRow(it Item, table map[rune]string) []string {
	c := it.Card
	return []string{c.NoticeNumber, c.Application.ApplicationID, moji.ApplyGaiji(c.Resident.Name, table),
		moji.ApplyGaiji(c.Resident.NameKana, table), c.Resident.BirthDate, c.Status.Label(), c.Application.Method.Label(),
		c.StorageLocation, c.Box, RuleLabel(it.Assessment.DisposalRule), DueText(it.Assessment.DisposalDueFrom),
		it.Dates.FirstNotice, it.Dates.Returned, c.ExpiryDate, flagWords(it.Flags)}
}

// DueText shows a due date, or that the card is due at once.
func DueText(day string) string {
	if day == "" {
		return "即時"
	}
	return day
}

func flagWords(fs []Flag) string {
	words := make([]string, len(fs))
	for i, f := range fs {
		words[i] = f.Label
	}
	return strings.Join(words, " ")
}
