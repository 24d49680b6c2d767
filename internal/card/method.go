package card

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Method is how the card reaches the resident. It is fixed when the card
// enters the ledger, because it decides which statuses the card can take.
type Method string

const (
	// MethodCounter is 交付時来庁方式: a notice is mailed and the resident
	// picks the card up at the counter, usually after booking.
	MethodCounter Method = "counter"
	// MethodAtApplication is 申請時来庁方式: identity was checked when
	// applying and the card is sent by registered mail.
	MethodAtApplication Method = "at_application"
)

// AllMethods returns the methods in display order.
func AllMethods() []Method { return []Method{MethodCounter, MethodAtApplication} }

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return m == MethodCounter || m == MethodAtApplication }

// Label returns the Japanese label of m, or the raw identifier if unknown.
func (m Method) Label() string {
	switch m {
	case MethodCounter:
		return "交付時来庁方式"
	case MethodAtApplication:
		return "申請時来庁方式"
	}
	return string(m)
}

// ParseMethod returns the method named by its identifier.
func ParseMethod(v string) (Method, error) {
	m := Method(v)
	if !m.Valid() {
		return "", apperr.New(apperr.Invalid, fmt.Sprintf("「%s」は不明な交付方式です", v))
	}
	return m, nil
}

// CancelReason is why a card was cancelled (廃止) before pickup.
type CancelReason string

const (
	ReasonDeath         CancelReason = "death"          // 死亡
	ReasonMovedOut      CancelReason = "moved_out"      // 転出
	ReasonStayExpired   CancelReason = "stay_expired"   // 在留期間満了
	ReasonWithdrawn     CancelReason = "withdrawn"      // 申請取下げ
	ReasonNumberChanged CancelReason = "number_changed" // 番号変更
	ReasonOther         CancelReason = "other"          // その他
)

// AllCancelReasons returns the reasons in display order (for a select box).
func AllCancelReasons() []CancelReason {
	return []CancelReason{
		ReasonDeath, ReasonMovedOut, ReasonStayExpired,
		ReasonWithdrawn, ReasonNumberChanged, ReasonOther,
	}
}

// Valid reports whether r is a known reason.
func (r CancelReason) Valid() bool { return r.label() != "" }

// Label returns the Japanese label of r, or the raw identifier if unknown.
func (r CancelReason) Label() string {
	if l := r.label(); l != "" {
		return l
	}
	return string(r)
}

func (r CancelReason) label() string {
	switch r {
	case ReasonDeath:
		return "死亡"
	case ReasonMovedOut:
		return "転出"
	case ReasonStayExpired:
		return "在留期間満了"
	case ReasonWithdrawn:
		return "申請取下げ"
	case ReasonNumberChanged:
		return "番号変更"
	case ReasonOther:
		return "その他"
	}
	return ""
}

// ParseCancelReason returns the reason named by its identifier. An empty
// or unknown value is a CancelReasonError, as for Transition.
func ParseCancelReason(v string) (CancelReason, error) {
	r := CancelReason(v)
	if !r.Valid() {
		return "", &CancelReasonError{Reason: r}
	}
	return r, nil
}
