package card

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// wantLabels is written independently of the package tables: identifier →
// Japanese label, in journey order.
var wantLabels = []struct{ id, label string }{
	{"arrived", "入荷済"},
	{"setup_done", "交付前設定済"},
	{"defective", "不良"},
	{"returned_to_jlis", "J-LIS返送"},
	{"notice_sent", "通知書発送済"},
	{"notice_returned", "通知書返戻"},
	{"reserved", "予約済"},
	{"mailed", "郵送済"},
	{"mail_returned", "郵送返戻"},
	{"on_hold", "保留"},
	{"issued", "交付済"},
	{"cancelled", "廃止"},
	{"disposal_pending", "廃棄待ち"},
	{"disposed", "廃棄済"},
}

var methods = []Method{"counter", "at_application"}

// wantEdges is the expected transition table, written by hand from the
// journey in docs/domain.md: "c" = counter method only, "a" =
// at-application only, "ca" = both. Any pair not listed must be refused.
var wantEdges = map[[2]string]string{
	{"arrived", "setup_done"}: "ca",
	{"arrived", "defective"}:  "ca",
	{"arrived", "on_hold"}:    "ca",
	{"arrived", "cancelled"}:  "ca",

	{"setup_done", "notice_sent"}: "c",
	{"setup_done", "mailed"}:      "a",
	{"setup_done", "defective"}:   "ca",
	{"setup_done", "on_hold"}:     "ca",
	{"setup_done", "cancelled"}:   "ca",

	{"defective", "returned_to_jlis"}: "ca",

	{"notice_sent", "reserved"}:         "c",
	{"notice_sent", "issued"}:           "c",
	{"notice_sent", "notice_returned"}:  "c",
	{"notice_sent", "on_hold"}:          "c",
	{"notice_sent", "cancelled"}:        "c",
	{"notice_sent", "disposal_pending"}: "c",

	{"notice_returned", "notice_sent"}:      "c",
	{"notice_returned", "issued"}:           "c",
	{"notice_returned", "on_hold"}:          "c",
	{"notice_returned", "cancelled"}:        "c",
	{"notice_returned", "disposal_pending"}: "c",

	{"reserved", "issued"}:      "c",
	{"reserved", "notice_sent"}: "c",
	{"reserved", "on_hold"}:     "c",
	{"reserved", "cancelled"}:   "c",

	{"mailed", "issued"}:        "a",
	{"mailed", "mail_returned"}: "a",

	{"mail_returned", "mailed"}:           "a",
	{"mail_returned", "issued"}:           "a",
	{"mail_returned", "on_hold"}:          "a",
	{"mail_returned", "cancelled"}:        "a",
	{"mail_returned", "disposal_pending"}: "a",

	{"on_hold", "arrived"}:          "ca",
	{"on_hold", "setup_done"}:       "ca",
	{"on_hold", "notice_sent"}:      "c",
	{"on_hold", "notice_returned"}:  "c",
	{"on_hold", "mail_returned"}:    "a",
	{"on_hold", "disposal_pending"}: "ca",
	{"on_hold", "cancelled"}:        "ca",

	{"cancelled", "disposal_pending"}: "ca",

	{"disposal_pending", "disposed"}:      "ca",
	{"disposal_pending", "notice_sent"}:   "c",
	{"disposal_pending", "mail_returned"}: "a",
	{"disposal_pending", "on_hold"}:       "ca",
}

func allowedByExpectation(from, to string, m Method) bool {
	tag := wantEdges[[2]string{from, to}]
	return (m == "counter" && strings.Contains(tag, "c")) ||
		(m == "at_application" && strings.Contains(tag, "a"))
}

func labelOf(id string) string {
	for _, l := range wantLabels {
		if l.id == id {
			return l.label
		}
	}
	panic("no label for " + id)
}

func TestCanTransitionEveryPairAndMethod(t *testing.T) {
	allowed := 0
	for _, from := range wantLabels {
		for _, to := range wantLabels {
			for _, m := range methods {
				err := CanTransition(Status(from.id), Status(to.id), m)
				if allowedByExpectation(from.id, to.id, m) {
					allowed++
					if err != nil {
						t.Errorf("%s → %s (%s): refused: %v", from.id, to.id, m, err)
					}
					continue
				}
				checkRefused(t, err, from.id, to.id, m)
			}
		}
	}
	if allowed == 0 {
		t.Fatal("expectation table is empty")
	}
}

func checkRefused(t *testing.T, err error, from, to string, m Method) {
	t.Helper()
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Errorf("%s → %s (%s): err = %v, want *TransitionError", from, to, m, err)
		return
	}
	if te.From != Status(from) || te.To != Status(to) || te.Method != m {
		t.Errorf("%s → %s (%s): error fields %+v", from, to, m, te)
	}
	if te.Code().String() != "illegal_transition" || apperr.CodeOf(err).String() != "illegal_transition" {
		t.Errorf("%s → %s (%s): code %q", from, to, m, te.Code())
	}
	if !strings.Contains(err.Error(), "「"+labelOf(from)+"」") {
		t.Errorf("%s → %s (%s): message %q does not name the current status", from, to, m, err)
	}
	if from != to && !strings.Contains(err.Error(), "「"+labelOf(to)+"」に変更できません") {
		t.Errorf("%s → %s (%s): message %q does not name the target", from, to, m, err)
	}
}

func TestTransitionAcceptsEveryAllowedMove(t *testing.T) {
	for edge, tag := range wantEdges {
		for _, m := range methods {
			if !allowedByExpectation(edge[0], edge[1], m) {
				continue
			}
			reason := CancelReason("")
			if edge[1] == "cancelled" {
				reason = ReasonDeath
			}
			if err := Transition(Status(edge[0]), Status(edge[1]), m, reason); err != nil {
				t.Errorf("%v (%s, %s): %v", edge, tag, m, err)
			}
		}
	}
}

func TestTransitionMessages(t *testing.T) {
	tests := []struct {
		name     string
		from, to Status
		method   Method
		want     string
	}{
		{"final status", StatusIssued, StatusReserved, MethodCounter,
			"現在の状態「交付済」からは「予約済」に変更できません"},
		{"mail for a counter card", StatusSetupDone, StatusMailed, MethodCounter,
			"現在の状態「交付前設定済」からは「郵送済」に変更できません（交付時来庁方式のカードのため）"},
		{"booking for a mailed-method card", StatusNoticeSent, StatusReserved, MethodAtApplication,
			"現在の状態「通知書発送済」からは「予約済」に変更できません（申請時来庁方式のカードのため）"},
		{"double submission", StatusReserved, StatusReserved, MethodCounter,
			"すでに「予約済」の状態です"},
		{"disposed cannot come back", StatusDisposed, StatusNoticeSent, MethodCounter,
			"現在の状態「廃棄済」からは「通知書発送済」に変更できません"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Transition(tt.from, tt.to, tt.method, "")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if got := apperr.MessageOf(err); got != tt.want {
				t.Errorf("apperr.MessageOf = %q", got)
			}
		})
	}
}

func TestTransitionToCancelledNeedsReason(t *testing.T) {
	for _, r := range AllCancelReasons() {
		if err := Transition(StatusNoticeSent, StatusCancelled, MethodCounter, r); err != nil {
			t.Errorf("reason %s refused: %v", r, err)
		}
	}
	for _, r := range []CancelReason{"", "moved", "死亡", " death"} {
		err := Transition(StatusArrived, StatusCancelled, MethodAtApplication, r)
		var ce *CancelReasonError
		if !errors.As(err, &ce) || ce.Reason != r {
			t.Errorf("reason %q: err = %v, want *CancelReasonError", r, err)
			continue
		}
		if apperr.CodeOf(err).String() != "cancel_reason_required" {
			t.Errorf("reason %q: code %q", r, apperr.CodeOf(err))
		}
		if !strings.Contains(err.Error(), "死亡・転出・在留期間満了・申請取下げ・番号変更・その他") {
			t.Errorf("reason %q: message %q does not list the choices", r, err)
		}
	}
}

// An illegal move is reported as such even when the reason is missing too.
func TestIllegalMoveIsReportedBeforeMissingReason(t *testing.T) {
	err := Transition(StatusIssued, StatusCancelled, MethodCounter, "")
	if apperr.CodeOf(err) != CodeIllegalTransition {
		t.Errorf("code %q, want illegal_transition", apperr.CodeOf(err))
	}
}

func TestReasonIsIgnoredForOtherMoves(t *testing.T) {
	if err := Transition(StatusArrived, StatusSetupDone, MethodCounter, "nonsense"); err != nil {
		t.Errorf("err = %v", err)
	}
}

func TestUnknownValuesAreInvalid(t *testing.T) {
	tests := []struct {
		from, to Status
		method   Method
	}{
		{"", StatusIssued, MethodCounter},
		{StatusReserved, "picked_up", MethodCounter},
		{StatusReserved, StatusIssued, ""},
		{StatusReserved, StatusIssued, "post"},
		{"ISSUED", StatusIssued, MethodCounter},
	}
	for _, tt := range tests {
		err := Transition(tt.from, tt.to, tt.method, "")
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%q → %q (%q): err = %v, want invalid", tt.from, tt.to, tt.method, err)
		}
		if got := AllowedNext(tt.from, tt.method); tt.from != StatusReserved && got != nil {
			t.Errorf("AllowedNext(%q, %q) = %v", tt.from, tt.method, got)
		}
	}
}

func TestAllowedNextMatchesExpectation(t *testing.T) {
	for _, from := range wantLabels {
		for _, m := range methods {
			var want []string
			for _, to := range wantLabels {
				if allowedByExpectation(from.id, to.id, m) {
					want = append(want, to.id)
				}
			}
			var got []string
			for _, s := range AllowedNext(Status(from.id), m) {
				got = append(got, string(s))
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("AllowedNext(%s, %s) = %v, want %v", from.id, m, got, want)
			}
		}
	}
}

// The order is what staff see as buttons: the usual next step first.
func TestAllowedNextOrder(t *testing.T) {
	tests := []struct {
		from   Status
		method Method
		want   []Status
	}{
		{StatusArrived, MethodCounter, []Status{StatusSetupDone, StatusDefective, StatusOnHold, StatusCancelled}},
		{StatusSetupDone, MethodCounter, []Status{StatusNoticeSent, StatusDefective, StatusOnHold, StatusCancelled}},
		{StatusSetupDone, MethodAtApplication, []Status{StatusMailed, StatusDefective, StatusOnHold, StatusCancelled}},
		{StatusNoticeSent, MethodCounter, []Status{StatusReserved, StatusIssued, StatusNoticeReturned, StatusOnHold, StatusCancelled, StatusDisposalPending}},
		{StatusReserved, MethodCounter, []Status{StatusIssued, StatusNoticeSent, StatusOnHold, StatusCancelled}},
		{StatusMailed, MethodAtApplication, []Status{StatusIssued, StatusMailReturned}},
		{StatusOnHold, MethodAtApplication, []Status{StatusArrived, StatusSetupDone, StatusMailReturned, StatusDisposalPending, StatusCancelled}},
		{StatusDisposalPending, MethodCounter, []Status{StatusDisposed, StatusNoticeSent, StatusOnHold}},
		{StatusDisposalPending, MethodAtApplication, []Status{StatusDisposed, StatusMailReturned, StatusOnHold}},
		{StatusIssued, MethodCounter, nil},
		{StatusMailed, MethodCounter, nil}, // a counter card is never mailed
	}
	for _, tt := range tests {
		if got := AllowedNext(tt.from, tt.method); !slices.Equal(got, tt.want) {
			t.Errorf("AllowedNext(%s, %s) = %v, want %v", tt.from, tt.method, got, tt.want)
		}
	}
}

func TestAllowedNextReturnsACopy(t *testing.T) {
	got := AllowedNext(StatusArrived, MethodCounter)
	got[0] = StatusDisposed
	if AllowedNext(StatusArrived, MethodCounter)[0] != StatusSetupDone {
		t.Error("changing a result changed the table")
	}
}

func TestFinal(t *testing.T) {
	want := []string{"returned_to_jlis", "issued", "disposed"}
	for _, s := range wantLabels {
		if got := Final(Status(s.id)); got != slices.Contains(want, s.id) {
			t.Errorf("Final(%s) = %v", s.id, got)
		}
	}
	if Final("unknown") {
		t.Error("Final(unknown) = true")
	}
}

func TestOnHand(t *testing.T) {
	notOnHand := []string{"returned_to_jlis", "issued", "disposed", "mailed"}
	for _, s := range wantLabels {
		if got := OnHand(Status(s.id)); got == slices.Contains(notOnHand, s.id) {
			t.Errorf("OnHand(%s) = %v", s.id, got)
		}
	}
}

// Every status a card of the method can take is reachable from arrived,
// and every such status can still reach an end.
func TestJourneyIsConnected(t *testing.T) {
	for _, m := range methods {
		reached := reachable(StatusArrived, m)
		for _, s := range AllStatuses() {
			if s.AppliesTo(m) != reached[s] {
				t.Errorf("%s: %s reachable = %v, applies = %v", m, s, reached[s], s.AppliesTo(m))
			}
			if !s.AppliesTo(m) || Final(s) {
				continue
			}
			if !reachesFinal(s, m) {
				t.Errorf("%s: %s cannot reach a final status", m, s)
			}
		}
	}
}

func reachable(start Status, m Method) map[Status]bool {
	seen := map[Status]bool{start: true}
	queue := []Status{start}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, n := range AllowedNext(s, m) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return seen
}

func reachesFinal(s Status, m Method) bool {
	for n := range reachable(s, m) {
		if Final(n) {
			return true
		}
	}
	return false
}

func TestEveryTableStatusIsKnown(t *testing.T) {
	table := transitionTable()
	if len(table) != len(AllStatuses()) {
		t.Errorf("table has %d rows, %d statuses", len(table), len(AllStatuses()))
	}
	for from, tos := range table {
		for _, to := range tos {
			if !from.Valid() || !to.Valid() {
				t.Errorf("unknown status in table: %s → %s", from, to)
			}
		}
		if slices.Contains(tos, from) {
			t.Errorf("%s lists itself", from)
		}
	}
}

func ExampleTransition() {
	err := Transition(StatusIssued, StatusReserved, MethodCounter, "")
	fmt.Println(err)
	fmt.Println(err.(*TransitionError).Code())
	// Output:
	// 現在の状態「交付済」からは「予約済」に変更できません
	// illegal_transition
}
