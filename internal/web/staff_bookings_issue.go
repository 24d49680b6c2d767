package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// issueDocuments are the identity documents offered as checkboxes (the
// tablet reception's list); others are typed in.
func issueDocuments() []string { return reception.Documents() }

func issueAttendances() []option {
	var out []option
	for _, a := range []reserve.Attendance{reserve.AttendanceSelf, reserve.AttendanceLegalRep, reserve.AttendanceProxy} {
		out = append(out, option{string(a), a.Label()})
	}
	return out
}

func issueItems() []option {
	var out []option
	for _, it := range []string{reserve.ItemNotificationCard, reserve.ItemJukiCard} {
		out = append(out, option{it, reserve.ItemLabel(it)})
	}
	return out
}

// issueInput is what the issue form holds, kept when it is refused.
type issueInput struct {
	Attendance string
	Documents  []string
	Other      string
	Items      []string
	Note       string
}

func issueInputOf(v url.Values) issueInput {
	return issueInput{Attendance: v.Get("attendance"), Documents: v["documents"], Other: v.Get("documents_other"),
		Items: v["items"], Note: v.Get("note")}
}

// request turns the form into the service's request; "その他" may list
// several documents separated by commas or 、.
func (in issueInput) request(personID int64) reserve.IssueRequest {
	docs := append([]string(nil), in.Documents...)
	docs = append(docs, strings.FieldsFunc(in.Other, func(r rune) bool { return strings.ContainsRune(",，、\n", r) })...)
	return reserve.IssueRequest{PersonID: personID, Attendance: reserve.Attendance(in.Attendance), Documents: docs,
		ItemsReturned: in.Items, Note: in.Note}
}

type issueView struct {
	Booking     bookingRow
	Person      *personRow // the person being served; nil: choose one, or nobody is left
	Waiting     []personRow
	Served      []personRow
	Done        bool
	Input       issueInput
	Documents   []string
	Attendances []option
	Items       []option
	Return      counterQuery
	LegalRep    string // the label of a legal representative's attendance
	// Receptions are the people's 交付受付確認票 by person (nil without
	// the tablet reception).
	Receptions map[int64]reception.Confirmation
}

// Reception returns a person's 交付受付確認票, if one was taken.
func (v issueView) Reception(personID int64) *reception.Confirmation {
	if c, ok := v.Receptions[personID]; ok {
		return &c
	}
	return nil
}

// ItemLabel is the text of a confirmation's item.
func (issueView) ItemLabel(key string) string { return reception.ItemLabel(key) }

func (ui *UI) issuePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := issueInput{} // who came is chosen for the person in renderIssue
	v := view{}
	if q.Get("done") == "issued" {
		v.Notice = "交付を記録しました。"
	}
	ui.renderIssue(w, r, http.StatusOK, v, q.Get("person"), in)
}

// issue records the handover and shows the booking again; "次の方へ" then
// clears the screen.
func (ui *UI) issue(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	personID, _ := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	in := issueInputOf(r.PostForm)
	p, _ := route.PrincipalOf(r)
	if _, err := ui.Reserve.Issue(r.Context(), p, route.MetaOf(r), id, in.request(personID)); err != nil {
		ui.renderIssue(w, r, statusFor(err), withError(view{}, err), r.PostFormValue("person_id"), in)
		return
	}
	ret := counterQueryOf(r.PostForm)
	v := url.Values{"done": {"issued"}, "date": {ret.Date}, "place": {ret.Place}}
	if ret.All {
		v.Set("all", "1")
	}
	http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(id, 10)+"/issue?"+v.Encode(), http.StatusSeeOther)
}

// renderIssue shows the booking, the people served so far and the form
// for the person chosen (or the only one still expected).
func (ui *UI) renderIssue(w http.ResponseWriter, r *http.Request, status int, v view, person string, in issueInput) {
	r.ParseForm()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	b, err := ui.Reserve.StaffGet(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	row := ui.bookingRows(r, []reserve.Booking{b})[0]
	data := issueView{Booking: row, Done: v.Notice != "" && v.Error == "", Input: in, Documents: issueDocuments(),
		Attendances: issueAttendances(), Items: issueItems(), Return: counterQueryOf(r.Form),
		LegalRep: reserve.AttendanceLegalRep.Label()}
	for _, pr := range row.People {
		if pr.Active {
			data.Waiting = append(data.Waiting, pr)
		} else {
			data.Served = append(data.Served, pr)
		}
	}
	if ui.reception != nil {
		if data.Receptions, err = ui.reception.ForBooking(r.Context(), p, route.MetaOf(r), id); err != nil {
			ui.ErrorPage(w, r, err)
			return
		}
	}
	data.Person = chosen(data.Waiting, person)
	if data.Person != nil && data.Input.Attendance == "" {
		data.Input.Attendance = expectedAttendance(*data.Person)
		if c := data.Reception(data.Person.ID); c != nil && data.Input.Documents == nil {
			data.Input.Documents = c.Brought // what the resident said on the tablet, for the clerk to check
		}
	}
	if data.Person == nil && person != "" && !data.Done && v.Error == "" {
		v.Error = "選んだ方はこの予約で対応を待っていません。"
	}
	v.Title, v.Data = "交付の記録", data
	ui.render(w, r, status, "booking_issue", v)
}

// expectedAttendance is who the form first says came: a legal
// representative for someone under 15, else what the booking said.
func expectedAttendance(p personRow) string {
	switch {
	case p.Under15:
		return string(reserve.AttendanceLegalRep)
	case p.Comes != "":
		return p.Comes
	}
	return string(reserve.AttendanceSelf)
}

// chosen is the waiting person with the ID, or the only one waiting.
func chosen(waiting []personRow, id string) *personRow {
	for i, p := range waiting {
		if strconv.FormatInt(p.ID, 10) == id {
			return &waiting[i]
		}
	}
	if len(waiting) == 1 && id == "" {
		return &waiting[0]
	}
	return nil
}
