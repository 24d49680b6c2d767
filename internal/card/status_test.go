package card

import (
	"slices"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func TestStatusLabelsAndOrder(t *testing.T) {
	all := AllStatuses()
	if len(all) != len(wantLabels) {
		t.Fatalf("AllStatuses has %d, want %d", len(all), len(wantLabels))
	}
	for i, w := range wantLabels {
		s := Status(w.id)
		if all[i] != s {
			t.Errorf("AllStatuses[%d] = %s, want %s", i, all[i], w.id)
		}
		if Label(s) != w.label || s.Label() != w.label {
			t.Errorf("Label(%s) = %q, want %q", w.id, Label(s), w.label)
		}
		if got, err := ParseStatus(w.id); err != nil || got != s {
			t.Errorf("ParseStatus(%s) = %v, %v", w.id, got, err)
		}
	}
}

func TestStatusConstants(t *testing.T) {
	got := []Status{
		StatusArrived, StatusSetupDone, StatusDefective, StatusReturnedToJLIS,
		StatusNoticeSent, StatusNoticeReturned, StatusReserved, StatusMailed,
		StatusMailReturned, StatusOnHold, StatusIssued, StatusCancelled,
		StatusDisposalPending, StatusDisposed,
	}
	if !slices.Equal(got, AllStatuses()) {
		t.Errorf("constants %v differ from AllStatuses %v", got, AllStatuses())
	}
}

func TestParseRejectsUnknownValues(t *testing.T) {
	for _, v := range []string{"", "Issued", "issued ", "交付済", "picked_up"} {
		if _, err := ParseStatus(v); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseStatus(%q) err = %v, want invalid", v, err)
		}
	}
	for _, v := range []string{"", "Counter", "mail"} {
		if _, err := ParseMethod(v); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseMethod(%q) err = %v, want invalid", v, err)
		}
	}
	for _, v := range []string{"", "dead", "その他"} {
		if _, err := ParseCancelReason(v); apperr.CodeOf(err) != CodeCancelReasonRequired {
			t.Errorf("ParseCancelReason(%q) err = %v", v, err)
		}
	}
	if Label("mystery") != "mystery" {
		t.Error("unknown status should label as itself")
	}
}

func TestMethodLabels(t *testing.T) {
	tests := []struct{ id, label string }{
		{"counter", "交付時来庁方式"},
		{"at_application", "申請時来庁方式"},
	}
	for i, tt := range tests {
		m, err := ParseMethod(tt.id)
		if err != nil || m.Label() != tt.label || AllMethods()[i] != m {
			t.Errorf("method %s: %v, %q, %v", tt.id, err, m.Label(), AllMethods())
		}
	}
	if len(AllMethods()) != len(tests) {
		t.Errorf("AllMethods = %v", AllMethods())
	}
}

func TestCancelReasonLabels(t *testing.T) {
	tests := []struct{ id, label string }{
		{"death", "死亡"},
		{"moved_out", "転出"},
		{"stay_expired", "在留期間満了"},
		{"withdrawn", "申請取下げ"},
		{"number_changed", "番号変更"},
		{"other", "その他"},
	}
	all := AllCancelReasons()
	if len(all) != len(tests) {
		t.Fatalf("AllCancelReasons = %v", all)
	}
	for i, tt := range tests {
		r, err := ParseCancelReason(tt.id)
		if err != nil || r.Label() != tt.label || all[i] != r {
			t.Errorf("reason %s: %v, %q, %v", tt.id, err, r.Label(), all[i])
		}
	}
}

// Statuses that belong to one method: notices and bookings to the counter
// method, registered mail to the at-application method.
func TestStatusAppliesTo(t *testing.T) {
	counterOnly := []string{"notice_sent", "notice_returned", "reserved"}
	mailOnly := []string{"mailed", "mail_returned"}
	for _, w := range wantLabels {
		s := Status(w.id)
		wantCounter := !slices.Contains(mailOnly, w.id)
		wantMail := !slices.Contains(counterOnly, w.id)
		if s.AppliesTo(MethodCounter) != wantCounter || s.AppliesTo(MethodAtApplication) != wantMail {
			t.Errorf("%s: AppliesTo counter=%v at_application=%v", w.id,
				s.AppliesTo(MethodCounter), s.AppliesTo(MethodAtApplication))
		}
		if s.AppliesTo("") {
			t.Errorf("%s applies to an empty method", w.id)
		}
	}
}
