package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// registerBookingSearch adds the booking search across days and its CSV.
func (ui *UI) registerBookingSearch(rt *route.Router) {
	rt.Handle("GET /staff/bookings", route.AnyStaff, ui.bookingsPage)
	rt.Handle("GET /staff/bookings/export.csv", route.AnyStaff, ui.bookingsExport)
}

// bookingSearchKeys are the query parameters of a search.
var bookingSearchKeys = []string{"code", "notice_number", "q", "from", "to", "place"}

func bookingSearchOf(v url.Values) reserve.SearchQuery {
	q := reserve.SearchQuery{Code: v.Get("code"), NoticeNumber: v.Get("notice_number"), Q: v.Get("q"),
		From: v.Get("from"), To: v.Get("to"), Place: v.Get("place")}
	if s := v.Get("status"); s != "" {
		q.Statuses = []string{s}
	}
	q.Offset, _ = strconv.Atoi(v.Get("offset"))
	q.Offset = max(q.Offset, 0)
	return q
}

type bookingsView struct {
	Query    url.Values
	Places   []option
	Statuses []option
	Searched bool
	Bookings []bookingRow
	Total    int
	Prev     string
	Next     string
	Export   string // the search as CSV, without paging
}

func bookingStatusOptions() []option {
	var out []option
	for _, s := range []string{store.BookingBooked, store.BookingCheckedIn, store.BookingCompleted, store.BookingNoShow, store.BookingCancelled} {
		out = append(out, option{s, reserve.StatusLabel(s)})
	}
	return out
}

// bookingsPage searches bookings across days; without a condition it only
// shows the form, so that opening the page reads nobody's data.
func (ui *UI) bookingsPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	data := bookingsView{Query: v, Statuses: bookingStatusOptions()}
	if st, err := ui.Reserve.Settings(r.Context()); err == nil {
		data.Places = placeOptions(st)
	}
	page := view{Title: "予約の検索"}
	for _, k := range append(bookingSearchKeys, "status") {
		data.Searched = data.Searched || v.Get(k) != ""
	}
	status := http.StatusOK
	if data.Searched {
		p, _ := route.PrincipalOf(r)
		res, err := ui.Reserve.Search(r.Context(), p, route.MetaOf(r), bookingSearchOf(v))
		if err != nil {
			page, status = withError(page, err), statusFor(err)
		}
		data.Bookings, data.Total = ui.bookingRows(r, res.Bookings), res.Total
		data.Prev, data.Next = pageLinks("/staff/bookings", v, res.Offset, res.Limit, res.Total)
		csvQuery := url.Values{}
		for _, k := range append(bookingSearchKeys, "status") {
			if s := v.Get(k); s != "" {
				csvQuery.Set(k, s)
			}
		}
		data.Export = "/staff/bookings/export.csv?" + csvQuery.Encode()
	}
	page.Data = data
	ui.render(w, r, status, "bookings", page)
}

// pageLinks are the previous and next pages of a list ("" when none).
func pageLinks(path string, v url.Values, offset, limit, total int) (prev, next string) {
	at := func(o int) string {
		q := url.Values{}
		for k, s := range v {
			q[k] = s
		}
		q.Set("offset", strconv.Itoa(o))
		return path + "?" + q.Encode()
	}
	if offset > 0 && limit > 0 {
		prev = at(max(offset-limit, 0))
	}
	if limit > 0 && offset+limit < total {
		next = at(offset + limit)
	}
	return prev, next
}

// bookingsExport downloads a search (or the day, without a condition) as
// CSV for Excel: a row per person.
func (ui *UI) bookingsExport(w http.ResponseWriter, r *http.Request) {
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	p, _ := route.PrincipalOf(r)
	q := bookingSearchOf(r.URL.Query())
	q.Offset = 0
	// The headers are set on the first byte, so that a refused search
	// answers as a page and not as a file.
	out := &export.LazyResponse{W: w, Headers: func(h http.Header) { export.SetHeaders(h, "bookings.csv", enc) }}
	if err := ui.Reserve.Export(r.Context(), p, route.MetaOf(r), q, enc, out); err != nil && !out.Started() {
		ui.ErrorPage(w, r, err)
	}
}
