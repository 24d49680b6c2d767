package document

import (
	"net/url"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// RefType says what a code on a page points at.
type RefType string

const (
	RefNotice  RefType = "notice"  // a 交付通知書番号: one card
	RefBooking RefType = "booking" // a booking code: one booking, one or more cards
	RefCard    RefType = "card"    // a card's id in Kofu (Kofu's own forms)
)

// Ref is a reference read from a code. Kind is the kind of document the
// code implies, "" when it implies none.
type Ref struct {
	Type  RefType
	Value string // normalised: "A1B-123456", "ABCDEFGH" (stored form), "123"
	Kind  Kind
}

// Rules read notice numbers and booking codes. They are the ledger's and
// the booking service's own normalisers (ledger.NormalizeNoticeNumber,
// reserve.NormalizeCode), passed in so that each format is decided in one
// place; each returns the stored form and whether the text is one.
type Rules struct {
	Notice  func(string) (string, bool)
	Booking func(string) (string, bool)
}

// formPrefix starts the QR code Kofu prints on its own forms:
//
//	KOFU:<kind>:<ref>
//
// where kind is a Kind value (receipt, proxy...) and ref a notice number
// (A1B-123456), a booking code (ABCD-EFGH) or card-<id>. For example
// "KOFU:receipt:A1B-123456" on a 交付受付確認票. Upper case letters, digits
// and ":-" only would fit QR's denser alphanumeric mode; the kind is in
// lower case to match its stored value, and the code stays short anyway.
const formPrefix = "KOFU:"

// FormCode is the text of the QR code for a Kofu form of kind k about ref.
func FormCode(k Kind, ref Ref) string {
	v := ref.Value
	switch ref.Type {
	case RefCard:
		v = "card-" + v
	case RefBooking:
		if len(v) == 8 {
			v = v[:4] + "-" + v[4:]
		}
	}
	return formPrefix + string(k) + ":" + v
}

// Ref reads the reference in a decoded text: a notice number or booking
// code alone, a booking-site URL carrying one (…?code=ABCD-EFGH,
// …?notice=A1B-123456), or a Kofu form code. ok is false for any other
// text (a product barcode, another office's QR).
func (r Rules) Ref(text string) (Ref, bool) {
	s := strings.TrimSpace(norm.NFKC.String(text))
	if rest, ok := cutPrefixFold(s, formPrefix); ok {
		return r.formRef(rest)
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "/") {
		return r.urlRef(s)
	}
	return r.plainRef(s)
}

func (r Rules) plainRef(s string) (Ref, bool) {
	if v, ok := r.notice(s); ok {
		return Ref{Type: RefNotice, Value: v}, true
	}
	if r.Booking == nil {
		return Ref{}, false
	}
	if v, ok := r.Booking(s); ok {
		return Ref{Type: RefBooking, Value: v}, true
	}
	return Ref{}, false
}

func (r Rules) notice(s string) (string, bool) {
	if r.Notice == nil || s == "" {
		return "", false
	}
	return r.Notice(s)
}

// urlRef reads the booking code or notice number in a URL's query
// (code=, notice=, notice_number=) or, failing that, its last path segment.
func (r Rules) urlRef(s string) (Ref, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return Ref{}, false
	}
	q := u.Query()
	for _, key := range []string{"notice", "notice_number"} {
		if v, ok := r.notice(q.Get(key)); ok {
			return Ref{Type: RefNotice, Value: v}, true
		}
	}
	if code := q.Get("code"); code != "" {
		if ref, ok := r.plainRef(code); ok && ref.Type == RefBooking {
			return ref, true
		}
	}
	path := strings.TrimRight(u.Path, "/")
	return r.plainRef(path[strings.LastIndex(path, "/")+1:])
}

func (r Rules) formRef(rest string) (Ref, bool) {
	kindText, refText, ok := strings.Cut(rest, ":")
	kind, known := ParseKind(strings.ToLower(kindText))
	if !ok || !known {
		return Ref{}, false
	}
	ref, ok := r.plainRef(refText)
	if id, isCard := cutPrefixFold(refText, "card-"); isCard {
		id = strings.TrimLeft(id, "0")
		ref, ok = Ref{Type: RefCard, Value: id}, isDigits(id)
	}
	if !ok {
		return Ref{}, false
	}
	ref.Kind = kind
	return ref, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// productFormats are 1D symbologies that carry product numbers, never one
// of Kofu's references, should a reader report one.
var productFormats = map[string]bool{"EAN_13": true, "EAN_8": true, "UPC_A": true, "UPC_E": true}

// Refs reads the references among a page's codes, each once.
func (r Rules) Refs(codes []Code) []Ref {
	var out []Ref
	for _, c := range codes {
		if productFormats[c.Format] {
			continue
		}
		ref, ok := r.Ref(c.Text)
		if !ok {
			continue
		}
		if !containsRef(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

func containsRef(refs []Ref, ref Ref) bool {
	for _, x := range refs {
		if x == ref {
			return true
		}
	}
	return false
}
