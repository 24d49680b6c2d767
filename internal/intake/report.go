package intake

import (
	"cmp"
	"slices"

	"github.com/kofu-oss/kofu/internal/jlis"
)

// MaxListed is how many rejections, warnings and ledger rows a report
// lists one by one. A file of a million bad lines answers with the first
// thousand, counts all of them by code, and says that the list was cut.
const MaxListed = 1000

// Summary is the full count behind a list that may be cut.
type Summary struct {
	Total  int            `json:"total"`
	Rows   int            `json:"rows,omitempty"` // rows concerned (rejections)
	ByCode map[string]int `json:"by_code"`
	Cut    bool           `json:"cut"` // the list holds the first MaxListed only
}

// add counts one item; false when the list is full.
func (s *Summary) add(code string) bool {
	if s.ByCode == nil {
		s.ByCode = map[string]int{}
	}
	s.Total++
	s.ByCode[code]++
	if s.Total > MaxListed {
		s.Cut = true
		return false
	}
	return true
}

// reject records a problem of a row. A row's problems come one after the
// other, so rows are counted as the line changes.
func (res *Result) reject(x Rejection) {
	s := &res.RejectedSummary
	if s.Total == 0 || x.Line != res.lastRejected {
		s.Rows++
		res.lastRejected = x.Line
	}
	if s.add(x.Code) {
		res.Rejected = append(res.Rejected, x)
	}
}

// warn records a warning.
func (res *Result) warn(w Warning) {
	if res.WarningsSummary.add(w.Kind) {
		res.Warnings = append(res.Warnings, w)
	}
}

// readerWarnings adds a reader's warnings (the first listed, all of them
// counted by kind) to the import's own, and lists the first MaxListed of
// them all in line order, so the header's warnings always show.
func (res *Result) readerWarnings(listed []jlis.Warning, counts map[string]int) {
	s := &res.WarningsSummary
	for kind, n := range counts {
		s.ByCode[kind] += n
		s.Total += n
	}
	all := append(warningsOf(listed), res.Warnings...)
	slices.SortStableFunc(all, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	res.Warnings = all[:min(len(all), MaxListed)]
	s.Cut = s.Total > len(res.Warnings)
}

// RejectedRows is how many rows were rejected (a row may have several
// problems). Reports stored before the summary existed count their list.
func (res Result) RejectedRows() int {
	if res.RejectedSummary.Total > 0 {
		return res.RejectedSummary.Rows
	}
	lines := map[int]bool{}
	for _, r := range res.Rejected {
		lines[r.Line] = true
	}
	return len(lines)
}

// RejectedTotal is how many problems were found, listed or not.
func (res Result) RejectedTotal() int { return max(res.RejectedSummary.Total, len(res.Rejected)) }

// tally is the counts a row moves on, to tell what became of it.
type tally struct{ created, updated, unchanged, rejected int }

func (res *Result) tally() tally {
	return tally{res.Created, res.Updated, res.Unchanged, res.RejectedSummary.Total}
}

// outcomeSince names what became of the row applied since t was taken.
func (res *Result) outcomeSince(t tally) string {
	switch now := res.tally(); {
	case now.rejected != t.rejected:
		return OutcomeRejected
	case now.created != t.created:
		return OutcomeCreated
	case now.updated != t.updated:
		return OutcomeUpdated
	}
	return OutcomeUnchanged
}
