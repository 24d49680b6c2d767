package web

import "github.com/kofu-oss/kofu/internal/reserve"

// pubComes is person i's answer to who comes, as the booking stores it
// for the counter ("" when the person was not asked).
func pubComes(answers []pubAnswer, i int) string {
	if i >= len(answers) {
		return ""
	}
	switch answers[i].Who {
	case whoSelf:
		return string(reserve.AttendanceSelf)
	case whoMinor:
		return string(reserve.AttendanceLegalRep)
	case whoProxy:
		return string(reserve.AttendanceProxy)
	}
	return ""
}
