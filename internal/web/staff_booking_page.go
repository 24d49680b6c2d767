package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// registerBookingPage adds a booking's own page: its people, cards,
// history and mails, and moving it or changing its people (the code stays).
func (ui *UI) registerBookingPage(rt *route.Router) {
	rt.Handle("GET /staff/bookings/{id}", route.AnyStaff, ui.bookingPage)
	rt.Handle("POST /staff/bookings/{id}/move", route.Staff, ui.moveBooking)
	rt.Handle("POST /staff/bookings/{id}/people", route.Staff, ui.changeBookingPeople)
}

type bookingPageView struct {
	Booking      bookingRow
	CanAct       bool
	RequiresCard bool
	MoveDate     string       // the day whose free starts are shown
	Slots        []slotOption // free starts of MoveDate for the booking's people
	Searched     bool
	History      []audit.Entry
	Mails        []store.MailMessage
	Add          personInput // a person to add, as typed
	// Documents are the booking's documents (nil without the documents pages).
	Documents *documentsSection
}

var bookingNotices = map[string]string{
	"moved":            "予約の日時を変更しました。予約番号は変わりません。",
	"people":           "来庁される方を変更しました。予約番号は変わりません。",
	"document":         "書類を登録しました。",
	"document_deleted": "書類を削除しました。",
}

func (ui *UI) bookingPage(w http.ResponseWriter, r *http.Request) {
	v := view{Notice: bookingNotices[r.URL.Query().Get("done")]}
	ui.renderBooking(w, r, http.StatusOK, v, r.URL.Query().Get("date"), personInput{})
}

// renderBooking shows the booking (the service audits the view) with v's
// messages; with a day, the starts it could move to that day.
func (ui *UI) renderBooking(w http.ResponseWriter, r *http.Request, status int, v view, day string, add personInput) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	d, err := ui.Reserve.StaffDetail(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	docs, err := ui.bookingDocumentsFor(r, id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	data := bookingPageView{Booking: ui.bookingRows(r, []reserve.Booking{d.Booking})[0], CanAct: auth.AtLeast(p.Role, auth.RoleStaff),
		MoveDate: day, Mails: d.Mails, History: d.History, Add: add, Documents: docs}
	if st, err := ui.Reserve.Settings(r.Context()); err == nil {
		svc, _ := st.Service(d.Service)
		data.RequiresCard = svc.RequiresCard
	}
	if day != "" && data.Booking.CanCancel {
		data.Searched = true
		in := newBookingInput{Service: d.Service, Place: d.Place, Date: day, People: max(len(data.Booking.People), 1), Channel: d.Channel}
		var serr error
		if data.Slots, serr = ui.slotOptions(r, in); serr != nil && v.Error == "" {
			v, status = withError(v, serr), statusFor(serr)
		}
	}
	v.Title, v.Data = "予約 "+reserve.FormatCode(d.Code), data
	ui.render(w, r, status, "booking", v)
}

// moveBooking moves the booking to another start of its place and
// service, keeping its code; the resident gets one change mail.
func (ui *UI) moveBooking(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	start := r.PostFormValue("start")
	ui.changeBooking(w, r, "moved", reserve.ChangeRequest{Start: &start}, personInput{})
}

// changeBookingPeople keeps the people ticked and adds the one typed, in
// one change: the seats follow, the code stays.
func (ui *UI) changeBookingPeople(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	b, err := ui.Reserve.StaffGet(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	add := personInput{Index: -1, Notice: strings.TrimSpace(r.PostFormValue("add.notice_number")),
		BirthDate: strings.TrimSpace(r.PostFormValue("add.birth_date")), Name: strings.TrimSpace(r.PostFormValue("add.name")),
		Kana: strings.TrimSpace(r.PostFormValue("add.name_kana"))}
	ui.changeBooking(w, r, "people", reserve.ChangeRequest{People: keptPeople(b, r.PostForm["keep"], add)}, add)
}

// keptPeople is the booking's new list: the active people whose IDs are
// kept, as the booking knows them, then the person to add when typed.
func keptPeople(b reserve.Booking, keep []string, add personInput) []reserve.PersonInput {
	out := []reserve.PersonInput{}
	for _, p := range b.People {
		if p.Status != store.PersonActive || !slices.Contains(keep, strconv.FormatInt(p.ID, 10)) {
			continue
		}
		in := reserve.PersonInput{NoticeNumber: p.NoticeNumber, Name: p.Name, NameKana: p.NameKana, BirthDate: p.BirthDate}
		if p.Card != nil {
			in = reserve.PersonInput{NoticeNumber: p.NoticeNumber, BirthDate: p.Card.BirthDate}
		}
		out = append(out, in)
	}
	if add.typed() {
		out = append(out, reserve.PersonInput{NoticeNumber: add.Notice, Name: add.Name, NameKana: add.Kana, BirthDate: add.BirthDate})
	}
	return out
}

// changeBooking applies a change with the cut-off override of the form;
// on success back to the page, on failure the page with the messages.
func (ui *UI) changeBooking(w http.ResponseWriter, r *http.Request, done string, req reserve.ChangeRequest, add personInput) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	o := reserve.Override{Cutoff: r.PostFormValue("override_cutoff") == "1", Reason: r.PostFormValue("reason")}
	if _, err := ui.Reserve.StaffChange(r.Context(), p, route.MetaOf(r), id, req, o); err != nil {
		v := withError(view{}, err)
		if add.typed() {
			add.Errors = addErrors(v.Fields, len(req.People)-1)
		}
		ui.renderBooking(w, r, statusFor(err), v, r.PostFormValue("date"), add)
		return
	}
	http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(id, 10)+"?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}

// typed tells whether a person to add was typed.
func (in personInput) typed() bool { return in.Notice != "" || in.Name != "" || in.BirthDate != "" }

// addErrors are the service's messages on the added person, the i-th of
// the request.
func addErrors(fields map[string]string, i int) personErrors {
	key := func(f string) string { return "people[" + strconv.Itoa(i) + "]" + f }
	return personErrors{Person: fields[key("")], Notice: fields[key(".notice_number")], BirthDate: fields[key(".birth_date")],
		Name: fields[key(".name")], Kana: fields[key(".name_kana")]}
}
