package ledger

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Codes of the auxiliary flags shown wherever a card appears. The card's
// stored flags (card.FlagGaiji...) keep their own codes.
const (
	FlagUnder15       = "under_15"        // a legal representative must come
	FlagAge15To17     = "age_15_17"       // may come alone; card valid 5 years
	FlagAdult         = "adult"           // 18 or older
	FlagNoCertificate = "no_certificate"  // no electronic certificate on the card
	FlagAtApplication = "at_application"  // 申請時来庁: identity checked when applying
	FlagFastTrack     = "fast_track"      // 特急発行
	FlagReturned      = "notice_returned" // a notice or mailing came back
	FlagNoShows       = "no_shows"        // missed bookings so far
)

// Levels of a flag: how much it should catch the eye.
const (
	LevelAlert = "alert" // changes what staff must do at the counter
	LevelWarn  = "warn"  // worth a second look
	LevelInfo  = "info"
)

// Flag is one thing staff should notice about a card, with a plain label.
type Flag struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Level string `json:"level"`
}

// Strong reports whether the flag should stand out (alert or warn).
func (f Flag) Strong() bool { return f.Level == LevelAlert || f.Level == LevelWarn }

// FlagFacts are what the record alone does not tell: how often the notice
// came back and how many bookings the resident missed.
type FlagFacts struct {
	Returns int
	NoShows int
}

// Flags returns the flags of a card as of today (the local date matters:
// the age group changes on the birthday). Returns and no-shows are taken
// from the record alone; pages that know more use FlagsWith.
func Flags(rec store.CardRecord, today time.Time) []Flag {
	return FlagsWith(rec, today, FlagFacts{})
}

// FlagsWith returns the flags of a card, adding what facts know.
func FlagsWith(rec store.CardRecord, today time.Time, facts FlagFacts) []Flag {
	var out []Flag
	if f, ok := ageFlag(rec.Resident.BirthDate, today); ok {
		out = append(out, f)
	}
	out = append(out, storedFlags(rec)...)
	if rec.Certificate != nil && !*rec.Certificate {
		out = append(out, Flag{FlagNoCertificate, "電子証明書なし", LevelInfo})
	}
	if rec.Application.Method == card.MethodAtApplication {
		out = append(out, Flag{FlagAtApplication, "申請時来庁", LevelInfo})
	}
	if rec.Application.FastTrack {
		out = append(out, Flag{FlagFastTrack, "特急発行", LevelWarn})
	}
	if f, ok := returnedFlag(rec.Status, facts.Returns); ok {
		out = append(out, f)
	}
	if facts.NoShows > 0 {
		out = append(out, Flag{FlagNoShows, fmt.Sprintf("予約に来庁なし %d回", facts.NoShows), LevelWarn})
	}
	return out
}

// ageFlag tells the age group on today's date. A person is a year older
// from their birthday (one born on 2/29 from 3/1 in other years).
func ageFlag(birth string, today time.Time) (Flag, bool) {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return Flag{}, false
	}
	age := today.Year() - b.Year()
	if today.Month() < b.Month() || (today.Month() == b.Month() && today.Day() < b.Day()) {
		age--
	}
	switch {
	case age < 0:
		return Flag{}, false
	case age < 15:
		return Flag{FlagUnder15, "15歳未満（法定代理人の同行が必要）", LevelAlert}, true
	case age < 18:
		return Flag{FlagAge15To17, "15〜17歳", LevelInfo}, true
	}
	return Flag{FlagAdult, "18歳以上", LevelInfo}, true
}

// storedFlags turns the card's stored flags (外字...) into flags; a name
// with 外字 counts even when the import did not flag the card.
func storedFlags(rec store.CardRecord) []Flag {
	codes := slices.Clone(rec.Flags)
	if rec.Resident.HasGaiji && !slices.Contains(codes, card.FlagGaiji) {
		codes = append([]string{card.FlagGaiji}, codes...)
	}
	out := make([]Flag, 0, len(codes))
	for _, c := range codes {
		level := LevelInfo
		if c == card.FlagGaiji || c == card.FlagSurfacePending {
			level = LevelWarn
		}
		out = append(out, Flag{c, card.FlagLabel(c), level})
	}
	return out
}

func returnedFlag(s card.Status, returns int) (Flag, bool) {
	if returns == 0 && (s == card.StatusNoticeReturned || s == card.StatusMailReturned) {
		returns = 1
	}
	switch {
	case returns == 0:
		return Flag{}, false
	case returns == 1:
		return Flag{FlagReturned, "通知書の返戻あり", LevelWarn}, true
	}
	return Flag{FlagReturned, "通知書の返戻あり（" + strconv.Itoa(returns) + "回）", LevelWarn}, true
}

// FlagsFor returns the flags of each record, in order, with what the
// records alone do not tell: how often the mailing came back and how many
// bookings were missed. Flags are an aid: when the counts cannot be read,
// the flags of the records alone are given rather than failing the page
// that lists the cards.
func (s *Service) FlagsFor(ctx context.Context, recs []store.CardRecord, loc *time.Location) [][]Flag {
	today := s.Today(loc)
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	var returns, noShows map[int64]int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if returns, err = tx.ReturnCounts(ctx, ids); err != nil {
			return err
		}
		noShows, err = tx.NoShowCounts(ctx, ids)
		return err
	})
	out := make([][]Flag, len(recs))
	for i, r := range recs {
		facts := FlagFacts{}
		if err == nil {
			facts = FlagFacts{Returns: returns[r.ID], NoShows: noShows[r.ID]}
		}
		out[i] = FlagsWith(r, today, facts)
	}
	return out
}
