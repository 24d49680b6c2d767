package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Target is the goal of a figure: its ratio (or, without a baseline, its
// value) must be at least Min or at most Max.
type Target struct {
	Min, Max float64
	Text     string
}

// AtLeast and AtMost build targets.
func AtLeast(v float64, text string) Target { return Target{Min: v, Max: -1, Text: text} }

// AtMost is met by a value up to v.
func AtMost(v float64, text string) Target { return Target{Min: -1, Max: v, Text: text} }

// Met reports whether v meets the target.
func (t Target) Met(v float64) bool {
	if t.Min >= 0 && v < t.Min {
		return false
	}
	return t.Max < 0 || v <= t.Max
}

// Result is one line of the table.
type Result struct {
	Engine   string
	Figure   string
	Value    float64
	Unit     string
	Baseline float64 // 0: no baseline, the target applies to Value
	BaseUnit string
	BaseText string // what the baseline is
	Target   Target
	// Broken is a correctness failure (overbooking, a wrong count,
	// differing results): the run fails whatever the speed.
	Broken error
	Note   string
}

// Ratio is Value over Baseline, or Value without a baseline.
func (r Result) Ratio() float64 {
	if r.Baseline == 0 {
		return r.Value
	}
	return r.Value / r.Baseline
}

// Verdict is the table's judgement of the line.
func (r Result) Verdict() string {
	switch {
	case r.Broken != nil:
		return "**FAIL (正しさ)**"
	case r.Target.Text == "":
		return "—"
	case r.Target.Met(r.Ratio()):
		return "達成"
	}
	return "未達"
}

// Report is the outcome of a run.
type Report struct {
	Started time.Time
	Machine string
	Mode    string
	Results []Result
}

// Broken returns every correctness failure of the run.
func (rp *Report) Broken() error {
	var errs []error
	for _, r := range rp.Results {
		if r.Broken != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", r.Engine, r.Figure, r.Broken))
		}
	}
	return errors.Join(errs...)
}

// WriteMarkdown prints the results table.
func (rp *Report) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "実行: %s / %s / モード: %s\n\n", rp.Started.UTC().Format("2006-01-02 15:04 UTC"), rp.Machine, rp.Mode)
	fmt.Fprintln(w, "| エンジン | 項目 | 値 | 基準（同じ実行で測定） | 比 | 目標 | 判定 |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rp.Results {
		base, ratio := "—", "—"
		if r.Baseline != 0 {
			base = fmt.Sprintf("%s %s（%s）", num(r.Baseline), r.BaseUnit, r.BaseText)
			ratio = fmt.Sprintf("%.2f", r.Ratio())
			if strings.HasSuffix(r.Target.Text, "%") {
				ratio = fmt.Sprintf("%.1f%%", 100*r.Ratio())
			}
		}
		verdict := r.Verdict()
		if r.Broken != nil {
			verdict += ": " + r.Broken.Error()
		}
		value := num(r.Value) + " " + r.Unit
		if r.Note != "" {
			value += "（" + r.Note + "）"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Engine, r.Figure, value, base, ratio, r.Target.Text, verdict)
	}
}

// num prints a figure with sensible precision.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// percentile returns the p-th percentile (0..1) of durations in ms.
func percentile(durs []time.Duration, p float64) float64 {
	if len(durs) == 0 {
		return 0
	}
	s := slices.Clone(durs)
	slices.Sort(s)
	return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
}
