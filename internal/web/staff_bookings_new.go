package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// newBookingInput is the staff booking form: the search (service, place,
// day, people, channel) and, once slots are shown, the booking itself.
type newBookingInput struct {
	Service string
	Place   string
	Date    string
	People  int
	Channel string
	Start   string
	Persons []personInput
	Phone   string
	Email   string
}

// personInput is one person's fields with their messages.
type personInput struct {
	Index     int
	Number    int // Index + 1, for people
	Notice    string
	BirthDate string
	Name      string
	Kana      string
	Errors    personErrors
}

type personErrors struct{ Person, Notice, BirthDate, Name, Kana string }

func newBookingInputOf(v url.Values) newBookingInput {
	in := newBookingInput{Service: v.Get("service"), Place: v.Get("place"), Date: v.Get("date"),
		Channel: v.Get("channel"), Start: v.Get("start"), Phone: v.Get("phone"), Email: v.Get("email")}
	in.People, _ = strconv.Atoi(v.Get("people"))
	in.People = min(max(in.People, 1), maxFormPeople)
	if in.Channel == "" {
		in.Channel = string(booking.ChannelPhone)
	}
	for i := range in.People {
		key := func(f string) string { return fmt.Sprintf("people[%d].%s", i, f) }
		in.Persons = append(in.Persons, personInput{Index: i, Number: i + 1, Notice: v.Get(key("notice_number")),
			BirthDate: v.Get(key("birth_date")), Name: v.Get(key("name")), Kana: v.Get(key("name_kana"))})
	}
	return in
}

// maxFormPeople bounds the person fields drawn; the settings' own limit is
// applied by the service.
const maxFormPeople = 20

func (in newBookingInput) request(requiresCard bool) reserve.CreateRequest {
	req := reserve.CreateRequest{Service: in.Service, Place: in.Place, Start: in.Start, Phone: in.Phone, Email: in.Email}
	for _, p := range in.Persons {
		if requiresCard {
			req.People = append(req.People, reserve.PersonInput{NoticeNumber: p.Notice, BirthDate: p.BirthDate})
		} else {
			req.People = append(req.People, reserve.PersonInput{Name: p.Name, NameKana: p.Kana, BirthDate: p.BirthDate})
		}
	}
	return req
}

// withFieldErrors puts the service's messages on the person they are about.
func (in *newBookingInput) withFieldErrors(fields map[string]string) {
	for i := range in.Persons {
		p := &in.Persons[i]
		key := func(f string) string { return fmt.Sprintf("people[%d]%s", i, f) }
		p.Errors = personErrors{Person: fields[key("")], Notice: fields[key(".notice_number")],
			BirthDate: fields[key(".birth_date")], Name: fields[key(".name")], Kana: fields[key(".name_kana")]}
	}
}

type slotOption struct {
	Value     string
	Label     string
	Remaining int
}

type newBookingView struct {
	Input        newBookingInput
	Services     []option
	Places       []option
	Channels     []option
	RequiresCard bool
	Searched     bool // a day was chosen: slots and person fields are shown
	Slots        []slotOption
	MaxPeople    int
	Created      *bookingRow
}

func (ui *UI) newBookingPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id, err := strconv.ParseInt(q.Get("created"), 10, 64); err == nil {
		ui.renderCreated(w, r, id)
		return
	}
	ui.renderNewBooking(w, r, http.StatusOK, view{}, newBookingInputOf(q))
}

func (ui *UI) newBooking(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := newBookingInputOf(r.PostForm)
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	svc, _ := st.Service(in.Service)
	p, _ := route.PrincipalOf(r)
	b, _, err := ui.Reserve.StaffBook(r.Context(), p, route.MetaOf(r), booking.Channel(in.Channel), in.request(svc.RequiresCard))
	if err != nil {
		ui.renderNewBooking(w, r, statusFor(err), withError(view{}, err), in)
		return
	}
	http.Redirect(w, r, "/staff/bookings/new?created="+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
}

// renderCreated confirms a booking just made, to read out to the caller.
func (ui *UI) renderCreated(w http.ResponseWriter, r *http.Request, id int64) {
	p, _ := route.PrincipalOf(r)
	b, err := ui.Reserve.StaffGet(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	row := ui.bookingRows(r, []reserve.Booking{b})[0]
	ui.render(w, r, http.StatusOK, "booking_new", view{Title: "予約の登録", Notice: "予約を登録しました。予約番号をお伝えください。",
		Data: newBookingView{Created: &row}})
}

// renderNewBooking shows the form; once a day is chosen, the starts still
// free for the channel and the fields for each person.
func (ui *UI) renderNewBooking(w http.ResponseWriter, r *http.Request, status int, v view, in newBookingInput) {
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	data := newBookingView{Input: in, Places: placeOptions(st), Channels: []option{
		{string(booking.ChannelPhone), "電話"}, {string(booking.ChannelCounter), "窓口"}}, MaxPeople: st.MaxPeoplePerBooking}
	for _, s := range st.Services {
		data.Services = append(data.Services, option{s.ID, s.Name})
		if s.ID == in.Service {
			data.RequiresCard = s.RequiresCard
		}
	}
	if in.Service != "" && in.Place != "" && in.Date != "" {
		data.Searched = true
		var aerr error
		if data.Slots, aerr = ui.slotOptions(r, in); aerr != nil && v.Error == "" {
			v, status = withError(v, aerr), statusFor(aerr)
		}
	}
	data.Input.withFieldErrors(v.Fields)
	v.Title, v.Data = "予約の登録（電話・窓口）", data
	ui.render(w, r, status, "booking_new", v)
}

// slotOptions lists the day's free starts for the channel and people.
func (ui *UI) slotOptions(r *http.Request, in newBookingInput) ([]slotOption, error) {
	av, err := ui.Reserve.Availability(r.Context(), reserve.AvailabilityQuery{Service: in.Service, Place: in.Place,
		From: in.Date, To: in.Date, People: in.People, Channel: booking.Channel(in.Channel)})
	if err != nil {
		return nil, renameDateFields(err)
	}
	out := make([]slotOption, len(av.Slots))
	for i, s := range av.Slots {
		out[i] = slotOption{Value: s.Start.In(av.Location).Format(time.RFC3339), Remaining: s.Remaining,
			Label: s.Start.In(av.Location).Format("15:04") + "–" + s.End.In(av.Location).Format("15:04")}
	}
	return out, nil
}

// renameDateFields reports the availability's from/to on the form's one
// date field.
func renameDateFields(err error) error {
	fields := slices.Clone(apperr.FieldsOf(err))
	if len(fields) == 0 {
		return err
	}
	for i, f := range fields {
		if f.Field == "from" || f.Field == "to" {
			fields[i].Field = "date"
		}
	}
	return &apperr.Error{CodeValue: apperr.CodeOf(err), Message: apperr.MessageOf(err), Fields: fields, Err: err}
}
