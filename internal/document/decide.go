package document

import (
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Resolved is a reference read on a page, looked up by the caller in the
// ledger and the bookings.
type Resolved struct {
	Ref          Ref
	Found        bool    // the ledger or the bookings know it
	CardID       int64   // the card, for a notice or card reference
	BookingID    int64   // the booking, for a booking reference
	BookingCards []int64 // the cards in that booking, when known
}

// Review reasons, stable codes for the review queue.
const (
	ReviewNoCode      = "no_code"      // no code of Kofu's was read
	ReviewNotFound    = "not_found"    // a code was read, but the ledger does not know it
	ReviewTwoCards    = "two_cards"    // codes of two different cards
	ReviewTwoBookings = "two_bookings" // codes of two different bookings
	ReviewMismatch    = "mismatch"     // a card's code and a booking that does not hold it
	ReviewUnreadable  = "unreadable"   // the page image could not be decoded
)

// Decision says where a page goes: attached to a card (and its booking),
// or to the review queue with the reason staff see.
type Decision struct {
	Attach    bool
	CardID    int64 // 0 when the page belongs to a booking only
	BookingID int64
	Kind      Kind
	Review    string // a Review* code when !Attach
	Reason    string // Japanese, for staff
}

// Decide applies the filing rules to the references of one page. A page
// is attached only when every reference on it agrees on one card, or on
// one booking; two cards' codes, an unknown code or a card outside the
// booking on the same page send it to review, never to a guess.
func Decide(rs []Resolved) Decision {
	if len(rs) == 0 {
		return review(ReviewNoCode, "ページに交付通知書番号・予約番号・Kofu の帳票のコードが見つかりませんでした。カードを選んでください。")
	}
	var cards, bookings []int64
	var bookingCards []int64
	for _, r := range rs {
		if !r.Found {
			return review(ReviewNotFound, fmt.Sprintf("読み取った%s %s は台帳にありません。カードを選んでください。", refLabel(r.Ref.Type), r.Ref.Value))
		}
		switch r.Ref.Type {
		case RefNotice, RefCard:
			cards = addID(cards, r.CardID)
		case RefBooking:
			bookings = addID(bookings, r.BookingID)
			bookingCards = r.BookingCards
		}
	}
	d := Decision{Attach: true, Kind: impliedKind(rs)}
	switch {
	case len(cards) > 1:
		return review(ReviewTwoCards, fmt.Sprintf("%d 人分のカードのコードが 1 ページにあります。どのカードの書類か選んでください。", len(cards)))
	case len(bookings) > 1:
		return review(ReviewTwoBookings, fmt.Sprintf("%d 件の予約のコードが 1 ページにあります。どのカードの書類か選んでください。", len(bookings)))
	case len(cards) == 1 && len(bookings) == 1 && bookingCards != nil && !slices.Contains(bookingCards, cards[0]):
		return review(ReviewMismatch, "カードのコードと、そのカードを含まない予約のコードが同じページにあります。どのカードの書類か選んでください。")
	case len(cards) == 1:
		d.CardID = cards[0]
	case len(bookingCards) == 1:
		d.CardID = bookingCards[0]
	}
	if len(bookings) == 1 {
		d.BookingID = bookings[0]
	}
	return d
}

func review(code, reason string) Decision {
	return Decision{Review: code, Reason: reason, Kind: KindOther}
}

func addID(ids []int64, id int64) []int64 {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// impliedKind is the kind a Kofu form's code names; a notice number or a
// booking code alone says nothing of the paper it is printed on (the
// notice itself, a booking printout), so those pages are "other" until
// staff say more.
func impliedKind(rs []Resolved) Kind {
	kind := Kind("")
	for _, r := range rs {
		switch {
		case r.Ref.Kind == "":
		case kind == "":
			kind = r.Ref.Kind
		case kind != r.Ref.Kind:
			return KindOther
		}
	}
	if kind == "" {
		return KindOther
	}
	return kind
}

func refLabel(t RefType) string {
	switch t {
	case RefNotice:
		return "交付通知書番号"
	case RefBooking:
		return "予約番号"
	}
	return "カード番号"
}

// Unreadable is the decision for a page whose image could not be decoded;
// the reason quotes the error when it speaks to people.
func Unreadable(err error) Decision {
	msg := "ページの画像を読み取れませんでした。"
	if apperr.CodeOf(err) != apperr.Internal {
		msg = apperr.MessageOf(err)
	}
	return review(ReviewUnreadable, msg+"カードを選んでください。")
}
