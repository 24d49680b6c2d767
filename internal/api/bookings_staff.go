package api

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// RegisterStaff adds the counter's routes and the booking settings:
// viewers may read, staff may act, admins change the settings.
func (h *BookingHandlers) RegisterStaff(rt *route.Router) {
	rt.Handle("GET /api/v1/settings/booking", route.Admin, h.settings)
	rt.Handle("PUT /api/v1/settings/booking", route.Admin, h.saveSettings)
	rt.Handle("GET /api/v1/bookings", route.AnyStaff, h.list)
	rt.Handle("POST /api/v1/bookings", route.Staff, h.staffBook)
	rt.Handle("GET /api/v1/bookings/availability", route.AnyStaff, h.staffAvailability)
	rt.Handle("GET /api/v1/bookings/export.csv", route.AnyStaff, h.exportBookings)
	rt.Handle("GET /api/v1/bookings/{id}", route.AnyStaff, h.staffGet)
	rt.Handle("PATCH /api/v1/bookings/{id}", route.Staff, h.staffChange)
	rt.Handle("POST /api/v1/bookings/{id}/check-in", route.Staff, h.checkIn)
	rt.Handle("POST /api/v1/bookings/{id}/issue", route.Staff, h.issue)
	rt.Handle("POST /api/v1/bookings/{id}/no-show", route.Staff, h.noShow)
	rt.Handle("POST /api/v1/bookings/{id}/cancel", route.Staff, h.staffCancel)
}

func (h *BookingHandlers) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Reserve.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// saveSettings replaces the settings document. It is read strictly by
// booking.ParseSettings, so a misspelt key is refused, not ignored.
func (h *BookingHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		WriteError(w, r, apperr.Wrap(apperr.Invalid, "設定を読み取れません。", err))
		return
	}
	st, err := booking.ParseSettings(body)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = h.Reserve.SaveSettings(r.Context(), p, route.MetaOf(r), st)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// list answers the day's bookings (?date=, the counter's list) or, with
// any of code, notice_number, q, from or to, a search across days.
func (h *BookingHandlers) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	statuses := splitList(v["status"])
	p, _ := route.PrincipalOf(r)
	if searched(v) {
		h.search(w, r, v, statuses)
		return
	}
	q := reserve.ListQuery{Date: v.Get("date"), Place: v.Get("place"), Statuses: statuses}
	bs, err := h.Reserve.List(r.Context(), p, route.MetaOf(r), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": staffJSONs(bs), "total": len(bs)})
}

// searched tells whether the query asks for a search across days.
func searched(v url.Values) bool {
	for _, k := range []string{"code", "notice_number", "q", "from", "to"} {
		if strings.TrimSpace(v.Get(k)) != "" {
			return true
		}
	}
	return false
}

func (h *BookingHandlers) search(w http.ResponseWriter, r *http.Request, v url.Values, statuses []string) {
	q, err := searchQuery(v, statuses)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	res, err := h.Reserve.Search(r.Context(), p, route.MetaOf(r), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"bookings": staffJSONs(res.Bookings), "total": res.Total,
		"limit": res.Limit, "offset": res.Offset})
}

// searchQuery reads a booking search from the query string.
func searchQuery(v url.Values, statuses []string) (reserve.SearchQuery, error) {
	q := reserve.SearchQuery{Code: v.Get("code"), NoticeNumber: v.Get("notice_number"), Q: v.Get("q"),
		From: v.Get("from"), To: v.Get("to"), Place: v.Get("place"), Statuses: statuses}
	for _, n := range []struct {
		key string
		to  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		if s := v.Get(n.key); s != "" {
			i, err := strconv.Atoi(s)
			if err != nil {
				return q, invalid(n.key, n.key+" は整数で指定してください。")
			}
			*n.to = i
		}
	}
	return q, nil
}

// exportBookings streams the bookings of a search (or of today without
// one) as CSV: UTF-8 with BOM, or CP932 with encoding=cp932.
func (h *BookingHandlers) exportBookings(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q, err := searchQuery(v, splitList(v["status"]))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	q.Limit, q.Offset = 0, 0
	enc, ok := export.ParseEncoding(v.Get("encoding"))
	if !ok {
		WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
		return
	}
	// The headers go out with the first byte, so a refused search answers
	// as JSON.
	out := &export.LazyResponse{W: w, Headers: func(h http.Header) { export.SetHeaders(h, "bookings.csv", enc) }}
	p, _ := route.PrincipalOf(r)
	if err := h.Reserve.Export(r.Context(), p, route.MetaOf(r), q, enc, out); err != nil && !out.Started() {
		WriteError(w, r, err)
	}
}

func splitList(values []string) []string {
	var out []string
	for _, s := range values {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func staffJSONs(bs []reserve.Booking) []staffBookingJSON {
	out := make([]staffBookingJSON, len(bs))
	for i, b := range bs {
		out[i] = staffJSON(b)
	}
	return out
}

// staffAvailability is the availability for a channel of the staff
// (?channel=phone or counter), to book for a caller.
func (h *BookingHandlers) staffAvailability(w http.ResponseWriter, r *http.Request) {
	q, err := availabilityQuery(r)
	if err == nil {
		q.Channel = booking.Channel(r.URL.Query().Get("channel"))
		if q.Channel == "" {
			q.Channel = booking.ChannelPhone
		}
		var av reserve.Availability
		av, err = h.Reserve.Availability(r.Context(), q)
		writeAvailability(w, r, av, err)
		return
	}
	writeBookingError(w, r, err)
}

// staffCreateRequest is a booking made by staff: the web's request and
// the channel (phone by default, or counter).
type staffCreateRequest struct {
	reserve.CreateRequest
	Channel string `json:"channel"`
}

func (h *BookingHandlers) staffBook(w http.ResponseWriter, r *http.Request) {
	var req staffCreateRequest
	if err := decodeBooking(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	b, token, err := h.Reserve.StaffBook(r.Context(), p, route.MetaOf(r), booking.Channel(req.Channel), req.CreateRequest)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"booking": staffJSON(b), "manage_token": token})
}

func (h *BookingHandlers) staffGet(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.StaffGet(r.Context(), p, route.MetaOf(r), id)
	})
}

// staffChangeRequest changes a booking; override_cutoff and reason let
// staff act after the online cut-off.
type staffChangeRequest struct {
	reserve.ChangeRequest
	reserve.Override
}

func (h *BookingHandlers) staffChange(w http.ResponseWriter, r *http.Request) {
	var req staffChangeRequest
	h.withBody(w, r, &req, false, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.StaffChange(r.Context(), p, route.MetaOf(r), id, req.ChangeRequest, req.Override)
	})
}

func (h *BookingHandlers) checkIn(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.CheckIn(r.Context(), p, route.MetaOf(r), id)
	})
}

func (h *BookingHandlers) issue(w http.ResponseWriter, r *http.Request) {
	var req reserve.IssueRequest
	h.withBody(w, r, &req, false, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.Issue(r.Context(), p, route.MetaOf(r), id, req)
	})
}

func (h *BookingHandlers) noShow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	h.withBody(w, r, &req, true, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.NoShow(r.Context(), p, route.MetaOf(r), id, req.Reason)
	})
}

func (h *BookingHandlers) staffCancel(w http.ResponseWriter, r *http.Request) {
	var req reserve.Override
	h.withBody(w, r, &req, true, func(id int64) (reserve.Booking, error) {
		p, _ := route.PrincipalOf(r)
		return h.Reserve.StaffCancel(r.Context(), p, route.MetaOf(r), id, req)
	})
}

// withBody reads the JSON body into v (optional when optional is set),
// then acts on the booking of the path and answers it.
func (h *BookingHandlers) withBody(w http.ResponseWriter, r *http.Request, v any, optional bool, act func(id int64) (reserve.Booking, error)) {
	read := decodeBooking
	if optional {
		read = decodeOptional
	}
	if err := read(w, r, v); err != nil {
		WriteError(w, r, err)
		return
	}
	h.withID(w, r, act)
}

// withID acts on the booking of the path and answers it for staff.
func (h *BookingHandlers) withID(w http.ResponseWriter, r *http.Request, act func(id int64) (reserve.Booking, error)) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		WriteError(w, r, apperr.New(apperr.NotFound, "予約が見つかりません。"))
		return
	}
	b, err := act(id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"booking": staffJSON(b)})
}
