package backup

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Schedule says when scheduled backups run and which files are kept. It
// only decides; the caller writes (WriteFile) and deletes. File names
// carry the time of the backup, so the folder itself is the record of
// what ran.
type Schedule struct {
	Hour, Minute int            // local time of day of the daily backup
	Location     *time.Location // the city's zone; nil means UTC
	// Daily keeps the newest backup of each of the Daily most recent days
	// that have one (at least 1, so the newest backup is always kept).
	Daily int
	// Monthly keeps the first backup of each of the Monthly most recent
	// months that have one.
	Monthly int
	// Prefix starts every file name, so that other files in the folder are
	// never taken for backups (nor deleted). Default "kofu-".
	Prefix string
}

// DefaultSchedule runs at 02:30 in loc and keeps 14 daily and 12 monthly
// backups.
func DefaultSchedule(loc *time.Location) Schedule {
	return Schedule{Hour: 2, Minute: 30, Location: loc, Daily: 14, Monthly: 12, Prefix: "kofu-"}
}

const (
	nameLayout = "20060102-150405"
	nameSuffix = ".age"
)

// Validate checks the schedule's values.
func (s Schedule) Validate() error {
	switch {
	case s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59:
		return apperr.New(apperr.Invalid, fmt.Sprintf("バックアップの時刻 %02d:%02d が正しくありません。", s.Hour, s.Minute))
	case s.Daily < 1:
		return apperr.New(apperr.Invalid, "日ごとのバックアップは 1 つ以上残してください。")
	case s.Monthly < 0:
		return apperr.New(apperr.Invalid, "月ごとに残すバックアップの数が正しくありません。")
	case strings.ContainsAny(s.prefix(), `/\`):
		return apperr.New(apperr.Invalid, "ファイル名の接頭辞にフォルダの区切りは使えません。")
	}
	return nil
}

func (s Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s Schedule) prefix() string {
	if s.Prefix == "" {
		return "kofu-"
	}
	return s.Prefix
}

// slotBefore returns the latest scheduled time at or before now.
func (s Schedule) slotBefore(now time.Time) time.Time {
	n := now.In(s.loc())
	slot := time.Date(n.Year(), n.Month(), n.Day(), s.Hour, s.Minute, 0, 0, s.loc())
	if slot.After(n) {
		slot = time.Date(n.Year(), n.Month(), n.Day()-1, s.Hour, s.Minute, 0, 0, s.loc())
	}
	return slot
}

// Due reports whether a backup should run now: the last one (zero if
// none) ran before the latest scheduled time. A server that was down at
// that time catches up once when it comes back, not once per missed day.
func (s Schedule) Due(now, last time.Time) bool {
	return last.Before(s.slotBefore(now))
}

// Next returns when the next backup is due: now if it is due already.
func (s Schedule) Next(now, last time.Time) time.Time {
	if s.Due(now, last) {
		return now
	}
	n := s.slotBefore(now)
	return time.Date(n.Year(), n.Month(), n.Day()+1, s.Hour, s.Minute, 0, 0, s.loc())
}

// FileName names the backup taken at t: kofu-20260401-023000.age.
func (s Schedule) FileName(t time.Time) string {
	return s.prefix() + t.In(s.loc()).Format(nameLayout) + nameSuffix
}

// timeOf parses a name made by FileName; other names are not backups.
func (s Schedule) timeOf(name string) (time.Time, bool) {
	stamp, ok := strings.CutPrefix(name, s.prefix())
	if !ok {
		return time.Time{}, false
	}
	if stamp, ok = strings.CutSuffix(stamp, nameSuffix); !ok {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(nameLayout, stamp, s.loc())
	return t, err == nil
}

// LastRun returns the time of the newest backup among names (zero if
// none), to pass to Due.
func (s Schedule) LastRun(names []string) time.Time {
	var last time.Time
	for _, n := range names {
		if t, ok := s.timeOf(n); ok && t.After(last) {
			last = t
		}
	}
	return last
}

type dated struct {
	name string
	at   time.Time
}

// Expired returns, sorted, the backups among names that the retention
// no longer keeps. Names that are not backups are never listed.
func (s Schedule) Expired(names []string) []string {
	var all []dated
	for _, n := range names {
		if t, ok := s.timeOf(n); ok {
			all = append(all, dated{n, t})
		}
	}
	slices.SortFunc(all, func(a, b dated) int { return b.at.Compare(a.at) }) // newest first
	keep := map[string]bool{}
	s.keepPerPeriod(all, keep, max(s.Daily, 1), "2006-01-02", false)
	s.keepPerPeriod(all, keep, s.Monthly, "2006-01", true)
	var out []string
	for _, d := range all {
		if !keep[d.name] {
			out = append(out, d.name)
		}
	}
	slices.Sort(out)
	return out
}

// keepPerPeriod marks one backup in each of the n most recent periods
// (days or months, as layout formats them) that have one: the newest of
// the period, or the first when first is set. all is newest first.
func (s Schedule) keepPerPeriod(all []dated, keep map[string]bool, n int, layout string, first bool) {
	chosen := map[string]string{} // period → name
	var periods []string
	for _, d := range all {
		p := d.at.In(s.loc()).Format(layout)
		if _, seen := chosen[p]; !seen {
			if len(periods) == n {
				break
			}
			periods = append(periods, p)
		} else if !first {
			continue
		}
		chosen[p] = d.name // newest first: the last write is the period's first backup
	}
	for _, name := range chosen {
		keep[name] = true
	}
}

// Plan is what a scheduler should do now.
type Plan struct {
	Run    bool     // write a backup named Name
	Name   string   // the new file's name (when Run)
	Delete []string // backups to delete once the new one is written
}

// Plan decides, from the time and the names of the files in the backup
// folder, whether to back up now and which files then expire. The caller
// deletes only after the new backup was written successfully.
func (s Schedule) Plan(now time.Time, existing []string) Plan {
	if !s.Due(now, s.LastRun(existing)) {
		return Plan{}
	}
	name := s.FileName(now)
	after := append(slices.Clone(existing), name)
	return Plan{Run: true, Name: name, Delete: slices.DeleteFunc(s.Expired(after), func(n string) bool { return n == name })}
}
