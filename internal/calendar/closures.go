package calendar

// Reasons returned by Rules.IsClosed, in Japanese for staff and residents.
// A national holiday is reported by its own name ("元日", "振替休日"...).
const (
	ReasonClosedDate = "臨時閉庁日"
	ReasonYearEnd    = "年末年始の閉庁期間"
	ReasonNoHours    = "閉庁日"
)

// Rules are a city's own deviations from the national calendar.
//
// The zero value is the common case: closed on national holidays and over
// the year end, no special days. YearEndOpen is a negative flag on purpose,
// so that a forgotten field can never open the office on 1 January.
type Rules struct {
	// ClosedDates are extra closed days (municipal holiday, system
	// maintenance, disaster). They win over OpenDates.
	ClosedDates []Date
	// OpenDates are special opening days (臨時開庁, e.g. a Sunday or a
	// holiday), with a note for staff such as "日曜臨時開庁". They open the
	// day even when it is a holiday, year-end day or a weekday without
	// regular hours; the hours themselves are set elsewhere.
	OpenDates map[Date]string
	// YearEndOpen keeps 12/29-1/3 open. Holidays inside the period
	// (元日) stay closed unless listed in OpenDates.
	YearEndOpen bool
}

// IsClosed reports whether the office is closed on d and why.
// weekdayHasHours tells whether the city has regular hours on d's day of
// the week (usually false for Saturday and Sunday); the caller knows its
// hours table, this package does not. reason is empty when open.
func (r Rules) IsClosed(d Date, weekdayHasHours bool) (closed bool, reason string) {
	if r.isClosedDate(d) {
		return true, ReasonClosedDate
	}
	if _, open := r.OpenDates[d]; open {
		return false, ""
	}
	if name, ok := IsHoliday(d); ok {
		return true, name
	}
	if !r.YearEndOpen && IsYearEndClosure(d) {
		return true, ReasonYearEnd
	}
	if !weekdayHasHours {
		return true, ReasonNoHours
	}
	return false, ""
}

func (r Rules) isClosedDate(d Date) bool {
	for _, c := range r.ClosedDates {
		if c == d {
			return true
		}
	}
	return false
}
