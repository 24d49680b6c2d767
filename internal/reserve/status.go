package reserve

import "github.com/kofu-oss/kofu/internal/store"

// StatusLabel is the Japanese label of a booking status.
func StatusLabel(status string) string {
	switch status {
	case store.BookingHeld:
		return "仮押さえ"
	case store.BookingExpired:
		return "仮押さえ期限切れ"
	case store.BookingBooked:
		return "予約済"
	case store.BookingCheckedIn:
		return "来庁済"
	case store.BookingCompleted:
		return "完了"
	case store.BookingNoShow:
		return "来庁なし"
	case store.BookingCancelled:
		return "取消"
	}
	return status
}

// PersonStatusLabel is the Japanese label of a person's status.
func PersonStatusLabel(status string) string {
	switch status {
	case store.PersonActive:
		return "予約中"
	case store.PersonIssued:
		return "交付済"
	case store.PersonServed:
		return "対応済"
	case store.PersonNoShow:
		return "来庁なし"
	case store.PersonCancelled:
		return "取消"
	}
	return status
}

// Attendance is who came for the card (来庁者).
type Attendance string

// The ways a card is handed over.
const (
	AttendanceSelf     Attendance = "self"                 // 本人
	AttendanceLegalRep Attendance = "legal_representative" // 法定代理人同行
	AttendanceProxy    Attendance = "proxy"                // 任意代理人
)

// Label returns the Japanese label, or the raw value when unknown.
func (a Attendance) Label() string {
	switch a {
	case AttendanceSelf:
		return "本人"
	case AttendanceLegalRep:
		return "法定代理人同行"
	case AttendanceProxy:
		return "任意代理人"
	}
	return string(a)
}

// Valid reports whether a is a known way.
func (a Attendance) Valid() bool { return a.Label() != string(a) }

// Items handed back at issuance.
const (
	ItemNotificationCard = "notification_card" // 通知カード
	ItemJukiCard         = "juki_card"         // 住基カード
)

// ItemLabel is the Japanese label of an item handed back.
func ItemLabel(item string) string {
	switch item {
	case ItemNotificationCard:
		return "通知カード"
	case ItemJukiCard:
		return "住基カード"
	}
	return item
}
