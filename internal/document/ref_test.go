package document

import (
	"testing"
)

func TestRefReadsKofusCodes(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Ref
		ok   bool
	}{
		{"A1B-123456", Ref{Type: RefNotice, Value: "A1B-123456"}, true},
		{"a1b123456", Ref{Type: RefNotice, Value: "A1B-123456"}, true},
		{"Ａ１Ｂ－１２３４５６", Ref{Type: RefNotice, Value: "A1B-123456"}, true},
		{"ABCD-EFGH", Ref{Type: RefBooking, Value: "ABCDEFGH"}, true},
		{"abcdefgh", Ref{Type: RefBooking, Value: "ABCDEFGH"}, true},
		{"https://yoyaku.city.example.jp/booking/manage?code=ABCD-EFGH&token=abc", Ref{Type: RefBooking, Value: "ABCDEFGH"}, true},
		{"https://yoyaku.city.example.jp/booking/start?notice=A1B-123456", Ref{Type: RefNotice, Value: "A1B-123456"}, true},
		{"https://city.example.jp/k/A1B-123456", Ref{Type: RefNotice, Value: "A1B-123456"}, true},
		{"/booking/manage?code=ABCDEFGH", Ref{Type: RefBooking, Value: "ABCDEFGH"}, true},
		{"KOFU:receipt:A1B-123456", Ref{Type: RefNotice, Value: "A1B-123456", Kind: KindReceipt}, true},
		{"kofu:proxy:ABCD-EFGH", Ref{Type: RefBooking, Value: "ABCDEFGH", Kind: KindProxy}, true},
		{"KOFU:medical:card-0042", Ref{Type: RefCard, Value: "42", Kind: KindMedical}, true},
		{"KOFU:unknown:A1B-123456", Ref{}, false},
		{"KOFU:receipt:card-", Ref{}, false},
		{"KOFU:receipt:card-x1", Ref{}, false},
		{"ABCD-EFG0", Ref{}, false}, // 0 is not in the booking alphabet
		{"A1B-12345", Ref{}, false},
		{"https://example.com/some/page", Ref{}, false},
		{"4901234567894", Ref{}, false},
		{"", Ref{}, false},
	} {
		got, ok := rules.Ref(tc.text)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Ref(%q) = %+v, %v; want %+v, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormCodeReadsBack(t *testing.T) {
	for _, ref := range []Ref{
		{Type: RefNotice, Value: "A1B-123456", Kind: KindReceipt},
		{Type: RefBooking, Value: "ABCDEFGH", Kind: KindApplication},
		{Type: RefCard, Value: "42", Kind: KindProxy},
	} {
		text := FormCode(ref.Kind, ref)
		got, ok := rules.Ref(text)
		if !ok || got != ref {
			t.Errorf("FormCode %q reads back as %+v, %v; want %+v", text, got, ok, ref)
		}
	}
}

func TestRefsSkipsOtherCodesAndRepeats(t *testing.T) {
	got := rules.Refs([]Code{
		{"QR_CODE", "A1B-123456"}, {"CODE_128", "A1B123456"}, {"EAN_13", "23456789"},
		{"QR_CODE", "https://www.example.com/"}, {"CODABAR", "ABCD-EFGH"},
	})
	want := []Ref{{Type: RefNotice, Value: "A1B-123456"}, {Type: RefBooking, Value: "ABCDEFGH"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("refs %+v, want %+v", got, want)
	}
}

func TestDecide(t *testing.T) {
	notice := func(v string, card int64) Resolved {
		return Resolved{Ref: Ref{Type: RefNotice, Value: v}, Found: true, CardID: card}
	}
	booking := func(id int64, cards ...int64) Resolved {
		return Resolved{Ref: Ref{Type: RefBooking, Value: "ABCDEFGH"}, Found: true, BookingID: id, BookingCards: cards}
	}
	form := func(kind Kind, card int64) Resolved {
		return Resolved{Ref: Ref{Type: RefCard, Value: "x", Kind: kind}, Found: true, CardID: card}
	}
	for _, tc := range []struct {
		name string
		in   []Resolved
		want Decision
	}{
		{"one notice files to its card", []Resolved{notice("A1B-123456", 7)},
			Decision{Attach: true, CardID: 7, Kind: KindOther}},
		{"a Kofu form names its kind", []Resolved{form(KindReceipt, 7)},
			Decision{Attach: true, CardID: 7, Kind: KindReceipt}},
		{"two codes of one card agree", []Resolved{notice("A1B-123456", 7), form(KindProxy, 7)},
			Decision{Attach: true, CardID: 7, Kind: KindProxy}},
		{"a card and its booking", []Resolved{notice("A1B-123456", 7), booking(3, 7, 8)},
			Decision{Attach: true, CardID: 7, BookingID: 3, Kind: KindOther}},
		{"a booking of one person gives the card", []Resolved{booking(3, 9)},
			Decision{Attach: true, CardID: 9, BookingID: 3, Kind: KindOther}},
		{"a family booking alone files to the booking", []Resolved{booking(3, 7, 8)},
			Decision{Attach: true, BookingID: 3, Kind: KindOther}},
		{"two cards never file", []Resolved{notice("A1B-123456", 7), notice("C2D-654321", 8)},
			Decision{Review: ReviewTwoCards}},
		{"two cards by different codes never file", []Resolved{form(KindReceipt, 7), notice("C2D-654321", 8)},
			Decision{Review: ReviewTwoCards}},
		{"two bookings", []Resolved{booking(3, 7), booking(4, 8)},
			Decision{Review: ReviewTwoBookings}},
		{"a card outside the booking", []Resolved{notice("A1B-123456", 7), booking(3, 8)},
			Decision{Review: ReviewMismatch}},
		{"an unknown code beside a known one", []Resolved{notice("A1B-123456", 7), {Ref: Ref{Type: RefNotice, Value: "Z9Z-999999"}}},
			Decision{Review: ReviewNotFound}},
		{"no code", nil, Decision{Review: ReviewNoCode}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(tc.in)
			if got.Attach != tc.want.Attach || got.Review != tc.want.Review || got.CardID != tc.want.CardID || got.BookingID != tc.want.BookingID {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.Attach && got.Kind != tc.want.Kind {
				t.Fatalf("kind %s, want %s", got.Kind, tc.want.Kind)
			}
			if !got.Attach && got.Reason == "" {
				t.Fatal("a page sent to review says no reason")
			}
		})
	}
}
