package intake

import (
	"context"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/moji"
)

// PreviewLimit is how many rows a preview shows one by one: enough to
// read every problem of an ordinary delivery, while a file of a hundred
// thousand rows stays cheap to preview (its counts hold them all).
const PreviewLimit = 200

// PreviewRow is a row of a delivery file as it will be stored.
type PreviewRow struct {
	Line         int
	Outcome      string // OutcomeCreated, OutcomeUpdated, OutcomeUnchanged or OutcomeRejected
	Name         string // as it will be stored, 外字 as their private use code points
	NameShown    string // with the 外字 the city's table knows
	Kana         string
	BirthDate    string // "" when it could not be read
	NoticeNumber string
	Method       card.Method
	Flags        []Flag // the row's problems first, then its notes
}

// Flag is a reason to look at a row before importing it.
type Flag struct {
	Detail string // names the column
	Strong bool   // the row will not be imported
}

// Flagged tells whether the row needs a look.
func (r PreviewRow) Flagged() bool { return len(r.Flags) > 0 }

// OutcomeLabel is the Japanese word of the row's outcome.
func (r PreviewRow) OutcomeLabel() string { return OutcomeLabel(r.Outcome) }

// RowPreview is the first rows of a file as they will be stored, flagged
// rows first. It holds personal data: it is shown once, never stored nor
// returned by the API.
type RowPreview struct {
	Rows    []PreviewRow // at most PreviewLimit: the flagged rows first, in file order
	Total   int          // rows of the file
	Flagged int          // flagged rows of the file, shown or not

	flagged, plain []PreviewRow
	gaiji          map[rune]string
}

// startPreview makes the run keep its rows, with the city's 外字 table
// to show the names by.
func (r *run) startPreview(ctx context.Context, on bool) error {
	if !on {
		return nil
	}
	table, err := r.tx.GaijiMap(ctx)
	r.preview = &RowPreview{gaiji: table}
	return err
}

// add keeps a row while there is room for it among its kind.
func (p *RowPreview) add(row jlis.Row, outcome string) {
	p.Total++
	pr := p.rowOf(row, outcome)
	if pr.Flagged() {
		p.Flagged++
		if len(p.flagged) < PreviewLimit {
			p.flagged = append(p.flagged, pr)
		}
		return
	}
	if len(p.plain) < PreviewLimit {
		p.plain = append(p.plain, pr)
	}
}

// finish orders the kept rows: flagged first, then the others, cut at
// PreviewLimit.
func (p *RowPreview) finish() {
	rows := append(p.flagged, p.plain...)
	p.Rows = rows[:min(len(rows), PreviewLimit)]
	p.flagged, p.plain = nil, nil
}

// lines are the file lines the preview shows, for the audit log.
func (p *RowPreview) lines() []int {
	out := make([]int, len(p.Rows))
	for i, r := range p.Rows {
		out[i] = r.Line
	}
	return out
}

// Cut tells whether the file holds rows the preview does not show.
func (p *RowPreview) Cut() bool { return p.Total > len(p.Rows) }

func (p *RowPreview) rowOf(row jlis.Row, outcome string) PreviewRow {
	r := residentOf(row)
	pr := PreviewRow{Line: row.Line, Outcome: outcome, Name: r.Name, NameShown: moji.ApplyGaiji(r.Name, p.gaiji),
		Kana: r.NameKana, BirthDate: dateOrEmpty(row.BirthDate), NoticeNumber: row.NoticeNumber, Method: card.Method(row.Method)}
	for _, x := range row.Problems {
		pr.Flags = append(pr.Flags, Flag{Detail: x.Reason, Strong: true})
	}
	if outcome == OutcomeRejected && len(row.Problems) == 0 { // refused by the ledger, not by the file
		pr.Flags = append(pr.Flags, Flag{Detail: noticeTakenReason(row.NoticeNumber), Strong: true})
	}
	for _, n := range row.Notes {
		pr.Flags = append(pr.Flags, Flag{Detail: n.Detail})
	}
	if left := moji.PUARunes(pr.NameShown); len(left) > 0 {
		pr.Flags = append(pr.Flags, Flag{Detail: "氏名の外字が外字の対応表に未登録です（外字の画面で登録してください）"})
	}
	return pr
}
