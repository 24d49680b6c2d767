// Package card is the card ledger domain: the statuses a My Number card goes
// through at the municipality, the two pickup methods, the reasons for
// cancellation and the table of allowed status changes.
//
// The package is pure: no SQL, no HTTP, no package-level state. Tables are
// built by functions so that no caller can modify them.
package card

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Status is where a card is in its journey. The string is the stable
// identifier stored in the database and used by the API.
type Status string

// The statuses, in journey order.
const (
	StatusArrived         Status = "arrived"          // 入荷済: delivered by J-LIS and inspected
	StatusSetupDone       Status = "setup_done"       // 交付前設定済: IC checked, in storage
	StatusDefective       Status = "defective"        // 不良: failed inspection or setup
	StatusReturnedToJLIS  Status = "returned_to_jlis" // J-LIS返送: defective card sent back
	StatusNoticeSent      Status = "notice_sent"      // 通知書発送済: waiting for the resident
	StatusNoticeReturned  Status = "notice_returned"  // 通知書返戻: notice came back undelivered
	StatusReserved        Status = "reserved"         // 予約済: pickup booked
	StatusMailed          Status = "mailed"           // 郵送済: sent by registered mail (申請時来庁)
	StatusMailReturned    Status = "mail_returned"    // 郵送返戻: mail came back undelivered
	StatusOnHold          Status = "on_hold"          // 保留: frozen on request or pending a check
	StatusIssued          Status = "issued"           // 交付済: handed to the resident
	StatusCancelled       Status = "cancelled"        // 廃止: application void before pickup
	StatusDisposalPending Status = "disposal_pending" // 廃棄待ち: due for disposal
	StatusDisposed        Status = "disposed"         // 廃棄済: destroyed, cannot come back
)

// statusDef is one row of the status table. only, when set, is the single
// method whose cards can ever be in the status: notices and bookings belong
// to the counter method, registered mail to the at-application method.
type statusDef struct {
	status Status
	label  string
	only   Method
}

func statusDefs() []statusDef {
	return []statusDef{
		{StatusArrived, "入荷済", ""},
		{StatusSetupDone, "交付前設定済", ""},
		{StatusDefective, "不良", ""},
		{StatusReturnedToJLIS, "J-LIS返送", ""},
		{StatusNoticeSent, "通知書発送済", MethodCounter},
		{StatusNoticeReturned, "通知書返戻", MethodCounter},
		{StatusReserved, "予約済", MethodCounter},
		{StatusMailed, "郵送済", MethodAtApplication},
		{StatusMailReturned, "郵送返戻", MethodAtApplication},
		{StatusOnHold, "保留", ""},
		{StatusIssued, "交付済", ""},
		{StatusCancelled, "廃止", ""},
		{StatusDisposalPending, "廃棄待ち", ""},
		{StatusDisposed, "廃棄済", ""},
	}
}

func lookupStatus(s Status) (statusDef, bool) {
	for _, d := range statusDefs() {
		if d.status == s {
			return d, true
		}
	}
	return statusDef{}, false
}

// AllStatuses returns every status in journey order (for filters and
// reports).
func AllStatuses() []Status {
	defs := statusDefs()
	out := make([]Status, len(defs))
	for i, d := range defs {
		out[i] = d.status
	}
	return out
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := lookupStatus(s)
	return ok
}

// Label returns the Japanese label of s, or the raw identifier when s is
// unknown so that a message never shows an empty name.
func (s Status) Label() string {
	if d, ok := lookupStatus(s); ok {
		return d.label
	}
	return string(s)
}

// Label returns the Japanese label of s (see Status.Label).
func Label(s Status) string { return s.Label() }

// AppliesTo reports whether a card of method m can be in status s.
func (s Status) AppliesTo(m Method) bool {
	d, ok := lookupStatus(s)
	return ok && m.Valid() && (d.only == "" || d.only == m)
}

// ParseStatus returns the status named by its identifier ("issued").
func ParseStatus(v string) (Status, error) {
	s := Status(v)
	if !s.Valid() {
		return "", apperr.New(apperr.Invalid, fmt.Sprintf("「%s」は不明なカードの状態です", v))
	}
	return s, nil
}

// Final reports whether s is an end of the journey: no status follows it.
func Final(s Status) bool {
	return s.Valid() && len(transitionTable()[s]) == 0
}

// OnHand reports whether a card in status s is physically kept by the
// city (stock on hand for the dashboard and the storage search): every
// status before the end except while the card is in the mail.
func OnHand(s Status) bool {
	return s.Valid() && !Final(s) && s != StatusMailed
}
