package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// RegisterBookings adds the counter's pages: the day's list with its
// actions, the issue form, bookings for phone callers, the search across
// days, a booking's own page and the booking settings.
func (ui *UI) RegisterBookings(rt *route.Router) {
	rt.Handle("GET /staff/counter", route.AnyStaff, ui.counterPage)
	rt.Handle("POST /staff/counter/next", route.Staff, ui.counterNext)
	rt.Handle("POST /staff/bookings/{id}/check-in", route.Staff, ui.counterAction("checkin", ui.checkIn))
	rt.Handle("POST /staff/bookings/{id}/no-show", route.Staff, ui.counterAction("noshow", ui.noShow))
	rt.Handle("POST /staff/bookings/{id}/cancel", route.Staff, ui.counterAction("cancel", ui.cancelBooking))
	rt.Handle("GET /staff/bookings/{id}/issue", route.Staff, ui.issuePage)
	rt.Handle("POST /staff/bookings/{id}/issue", route.Staff, ui.issue)
	rt.Handle("GET /staff/bookings/new", route.Staff, ui.newBookingPage)
	rt.Handle("POST /staff/bookings/new", route.Staff, ui.newBooking)
	ui.registerBookingSearch(rt)
	ui.registerBookingPage(rt)
	rt.Handle("GET /staff/settings/booking", route.Admin, ui.bookingSettingsPage)
	rt.Handle("POST /staff/settings/booking", route.Admin, ui.saveBookingSettings)
	rt.Handle("POST /staff/settings/booking/rules", route.Admin, ui.saveRules)
	rt.Handle("POST /staff/settings/booking/places", route.Admin, ui.addPlace)
	rt.Handle("POST /staff/settings/booking/places/{id}", route.Admin, ui.savePlace)
	rt.Handle("POST /staff/settings/booking/places/{id}/delete", route.Admin, ui.deletePlace)
	rt.Handle("POST /staff/settings/booking/places/{id}/days", route.Admin, ui.saveDays)
	rt.Handle("POST /staff/settings/booking/services", route.Admin, ui.addService)
	rt.Handle("POST /staff/settings/booking/services/{id}", route.Admin, ui.saveService)
	rt.Handle("POST /staff/settings/booking/services/{id}/delete", route.Admin, ui.deleteService)
}

// counterQuery is what the counter list shows: a day ("" is today), a
// place ("" is every place) and whether finished bookings are shown too.
// Every action form carries it back, so the list returns as it was.
type counterQuery struct {
	Date  string
	Place string
	All   bool
}

func counterQueryOf(v url.Values) counterQuery {
	return counterQuery{Date: v.Get("date"), Place: v.Get("place"), All: v.Get("all") == "1"}
}

// URL is the list for the query, with a done notice when given.
func (q counterQuery) URL(done string) string {
	v := url.Values{}
	for k, s := range map[string]string{"date": q.Date, "place": q.Place, "done": done} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.All {
		v.Set("all", "1")
	}
	if len(v) == 0 {
		return "/staff/counter"
	}
	return "/staff/counter?" + v.Encode()
}

// list is the service's query: by default only the people still expected.
func (q counterQuery) list() reserve.ListQuery {
	lq := reserve.ListQuery{Date: q.Date, Place: q.Place}
	if !q.All {
		lq.Statuses = []string{store.BookingBooked, store.BookingCheckedIn}
	}
	return lq
}

type option struct{ Value, Label string }

type counterView struct {
	Query    counterQuery
	Places   []option
	Bookings []bookingRow
	CanAct   bool
}

// counterNotice never names a resident: the next person at the counter
// must not read anything about the previous one.
func counterNotice(done string) string {
	switch done {
	case "checkin":
		return "来庁を記録しました。"
	case "noshow":
		return "来庁なしを記録しました。カードは交付通知済に戻りました。"
	case "cancel":
		return "予約を取り消しました。"
	}
	return ""
}

func (ui *UI) counterPage(w http.ResponseWriter, r *http.Request) {
	q := counterQueryOf(r.URL.Query())
	ui.renderCounter(w, r, http.StatusOK, view{Notice: counterNotice(r.URL.Query().Get("done"))}, q)
}

// renderCounter lists the day's bookings (the service audits the read)
// with v's messages.
func (ui *UI) renderCounter(w http.ResponseWriter, r *http.Request, status int, v view, q counterQuery) {
	p, _ := route.PrincipalOf(r)
	data := counterView{Query: q, CanAct: auth.AtLeast(p.Role, auth.RoleStaff)}
	if st, err := ui.Reserve.Settings(r.Context()); err == nil {
		data.Places = placeOptions(st)
	}
	bs, err := ui.Reserve.List(r.Context(), p, route.MetaOf(r), q.list())
	if err != nil && v.Error == "" {
		v, status = withError(v, err), statusFor(err)
	}
	data.Bookings = ui.bookingRows(r, bs)
	v.Title, v.Data = "交付窓口", data
	ui.render(w, r, status, "counter", v)
}

// counterNext clears the screen for the next resident: back to the list
// of the same day and place, with nothing about the person just served.
func (ui *UI) counterNext(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	http.Redirect(w, r, counterQueryOf(r.PostForm).URL(""), http.StatusSeeOther)
}

// counterAction runs an action from the list and returns to the list: on
// success after a redirect, on failure with the message above the list.
func (ui *UI) counterAction(done string, act func(r *http.Request, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		err := act(r, id)
		q := counterQueryOf(r.PostForm)
		if err != nil {
			ui.renderCounter(w, r, statusFor(err), withError(view{}, err), q)
			return
		}
		http.Redirect(w, r, q.URL(done), http.StatusSeeOther)
	}
}

func (ui *UI) checkIn(r *http.Request, id int64) error {
	p, _ := route.PrincipalOf(r)
	_, err := ui.Reserve.CheckIn(r.Context(), p, route.MetaOf(r), id)
	return err
}

func (ui *UI) noShow(r *http.Request, id int64) error {
	p, _ := route.PrincipalOf(r)
	_, err := ui.Reserve.NoShow(r.Context(), p, route.MetaOf(r), id, r.PostFormValue("reason"))
	return err
}

func (ui *UI) cancelBooking(r *http.Request, id int64) error {
	p, _ := route.PrincipalOf(r)
	o := reserve.Override{Cutoff: r.PostFormValue("override_cutoff") == "1", Reason: r.PostFormValue("reason")}
	_, err := ui.Reserve.StaffCancel(r.Context(), p, route.MetaOf(r), id, o)
	return err
}

func placeOptions(st booking.Settings) []option {
	out := make([]option, len(st.Places))
	for i, pl := range st.Places {
		out[i] = option{pl.ID, pl.Name}
	}
	return out
}

// bookingRow is a booking as the counter's pages show it, formatted in
// the city's time zone, with the actions its status allows.
type bookingRow struct {
	ID          int64
	Code        string
	Date        string
	Time        string
	Service     string
	Place       string
	PlaceID     string
	Channel     string
	Status      string
	StatusLabel string
	Phone       string
	Email       string
	CheckedIn   string
	Deadline    string
	AfterCutoff bool // online changes are closed: cancelling needs a reason
	Waiting     bool // booked or checked in: people are still expected
	CanCheckIn  bool
	CanCancel   bool
	People      []personRow
}

// personRow is one person of a booking: the card's holder (names with the
// city's 外字 applied) or the person named in the booking.
type personRow struct {
	ID          int64
	CardID      int64
	Notice      string
	Name        string
	Kana        string
	BirthDate   string
	Status      string
	StatusLabel string
	Active      bool
	Unmapped    bool
	HasCard     bool
	CardStatus  string
	CardWrong   bool // the card is not reserved although the person is expected
	Storage     string
	Box         string
	NoShows     int
	Flags       []ledger.Flag // as the card search's 注意 column, on the booking's day
	Under15     bool          // on the booking's day: a legal representative must come
	Comes       string        // who the booking said would come (reserve.Attendance); "" when not asked
	ComesLabel  string
	OldCards    int // handed-over cards of the same person, to collect
	Attendance  string
	Documents   []string
	Items       []string
	Note        string
	DoneAt      string
	DoneBy      string
}

func (ui *UI) bookingRows(r *http.Request, bs []reserve.Booking) []bookingRow {
	m, _ := ui.Gaiji.Map(r.Context())
	out := make([]bookingRow, len(bs))
	for i, b := range bs {
		out[i] = bookingRowOf(b, m)
	}
	return out
}

func bookingRowOf(b reserve.Booking, gaijiMap map[rune]string) bookingRow {
	loc := b.Location
	waiting := b.Status == store.BookingBooked || b.Status == store.BookingCheckedIn
	row := bookingRow{ID: b.ID, Code: reserve.FormatCode(b.Code), Date: b.Date,
		Time:    b.Start.In(loc).Format("15:04") + "–" + b.End.In(loc).Format("15:04"),
		Service: b.ServiceName, Place: b.PlaceName, PlaceID: b.Place, Channel: channelLabel(b.Channel),
		Status: b.Status, StatusLabel: reserve.StatusLabel(b.Status), Phone: b.Phone, Email: b.Email,
		Deadline: b.ChangeDeadline.String(), AfterCutoff: b.Status == store.BookingBooked && !b.Changeable,
		Waiting: waiting, CanCheckIn: b.Status == store.BookingBooked, CanCancel: b.Status == store.BookingBooked}
	if !b.CheckedInAt.IsZero() {
		row.CheckedIn = b.CheckedInAt.In(loc).Format("15:04")
	}
	for _, p := range b.People {
		// People taken out by a change are no longer part of the booking.
		if p.Status == store.PersonCancelled && b.Status != store.BookingCancelled {
			continue
		}
		row.People = append(row.People, personRowOf(p, b.Start.In(loc), gaijiMap))
	}
	return row
}

// counterFlags are the card search's flags (ledger.FlagsWith, its 注意
// column) of a booked person on the booking's day: the age group, 外字,
// and for a card what the ledger holds (certificate, method, 特急,
// stored flags, a returned notice) and the bookings the person missed.
func counterFlags(p store.BookingPerson, name, birth string, day time.Time) []ledger.Flag {
	rec := store.CardRecord{Resident: store.Resident{BirthDate: birth, HasGaiji: moji.HasPUA(name)}}
	facts := ledger.FlagFacts{}
	if c := p.Card; c != nil {
		rec.Status, rec.Certificate, rec.Flags = c.Status, c.Certificate, c.Flags
		rec.Application.Method, rec.Application.FastTrack = c.Method, c.FastTrack
		rec.Resident.HasGaiji = rec.Resident.HasGaiji || c.HasGaiji
		facts.NoShows = c.NoShows
	}
	return ledger.FlagsWith(rec, day, facts)
}

func personRowOf(p store.BookingPerson, day time.Time, gaijiMap map[rune]string) personRow {
	loc := day.Location()
	row := personRow{ID: p.ID, CardID: p.CardID, Notice: p.NoticeNumber, Name: p.Name, Kana: p.NameKana, BirthDate: p.BirthDate,
		Status: p.Status, StatusLabel: reserve.PersonStatusLabel(p.Status), Active: p.Status == store.PersonActive,
		Documents: p.Documents, Note: p.Note, DoneBy: p.DoneBy}
	if c := p.Card; c != nil {
		row.Name, row.Kana, row.BirthDate, row.HasCard = c.Name, c.NameKana, c.BirthDate, true
		row.CardStatus, row.Storage, row.Box, row.NoShows = c.Status.Label(), c.StorageLocation, c.Box, c.NoShows
		row.OldCards = c.OldCards
		row.CardWrong = row.Active && c.Status != card.StatusReserved
	}
	row.Flags = counterFlags(p, row.Name, row.BirthDate, day)
	for _, f := range row.Flags {
		row.Under15 = row.Under15 || f.Code == ledger.FlagUnder15
	}
	row.Name = moji.ApplyGaiji(row.Name, gaijiMap)
	row.Unmapped = moji.HasPUA(row.Name)
	if !p.DoneAt.IsZero() {
		row.DoneAt = p.DoneAt.In(loc).Format("15:04")
	}
	if p.Attendance != "" {
		row.Attendance = reserve.Attendance(p.Attendance).Label()
	}
	if p.Comes != "" {
		row.Comes, row.ComesLabel = p.Comes, reserve.Attendance(p.Comes).Label()
	}
	for _, it := range p.ItemsReturned {
		row.Items = append(row.Items, reserve.ItemLabel(it))
	}
	return row
}

func channelLabel(ch string) string {
	switch booking.Channel(ch) {
	case booking.ChannelWeb:
		return "インターネット"
	case booking.ChannelPhone:
		return "電話"
	case booking.ChannelCounter:
		return "窓口"
	}
	return ch
}
