package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// CounterHandlers serve check-in, calls and devices. The check-in routes
// take a kiosk's credential or a staff member (CallerOf decides).
type CounterHandlers struct {
	Counter  *counter.Service
	CallerOf func(*http.Request) (counter.Caller, error)
	Loc      *time.Location
}

// Register adds the routes (the staff site only: the internet side
// checks nobody in).
func (h *CounterHandlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/checkins", route.Device, h.checkIn)
	rt.Handle("POST /api/v1/walk-ins", route.Device, h.walkIn)
	rt.Handle("GET /api/v1/places/{place}/board", route.Device, h.board)
	rt.Handle("POST /api/v1/places/{place}/calls", route.Staff, h.desk(h.Counter.CallNext))
	rt.Handle("POST /api/v1/places/{place}/calls/recall", route.Staff, h.desk(h.Counter.Recall))
	rt.Handle("POST /api/v1/places/{place}/calls/absent", route.Staff, h.desk(h.Counter.Absent))
	rt.Handle("POST /api/v1/places/{place}/calls/finish", route.Staff, h.desk(h.Counter.Finish))
	rt.Handle("GET /api/v1/counter/figures", route.AnyStaff, h.figures)
	rt.Handle("GET /api/v1/devices", route.Admin, h.devices)
	rt.Handle("POST /api/v1/devices", route.Admin, h.createDevice)
	rt.Handle("DELETE /api/v1/devices/{id}", route.Admin, h.revokeDevice)
	rt.Handle("GET /api/v1/settings/counter", route.Admin, h.settings)
	rt.Handle("PUT /api/v1/settings/counter", route.Admin, h.saveSettings)
}

type ticketJSON struct {
	Number    string `json:"number"`
	BookingID *int64 `json:"booking_id"`
	Place     string `json:"place"`
	Position  int    `json:"position"`
	Status    string `json:"status"`
	Day       string `json:"day"`
	Follow    string `json:"follow_token"`
}

func ticketOut(t counter.Ticket) map[string]any {
	j := ticketJSON{Number: t.Number, Place: t.Place, Position: t.Position, Status: t.Status, Day: t.Day, Follow: t.Follow}
	if t.BookingID != 0 {
		j.BookingID = &t.BookingID
	}
	return map[string]any{"ticket": j}
}

func (h *CounterHandlers) caller(w http.ResponseWriter, r *http.Request, kind string) (counter.Caller, bool) {
	c, err := h.CallerOf(r)
	if err == nil && !c.IsKind(kind) {
		err = apperr.New(apperr.Forbidden, "この端末ではこの操作はできません。")
	}
	if err != nil {
		WriteError(w, r, err)
		return c, false
	}
	return c, true
}

func (h *CounterHandlers) checkIn(w http.ResponseWriter, r *http.Request) {
	c, ok := h.caller(w, r, store.DeviceKiosk)
	if !ok {
		return
	}
	var in struct {
		Code  string `json:"code"`
		Place string `json:"place"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	var t counter.Ticket
	var created bool
	var err error
	if c.Device != nil {
		t, created, err = h.Counter.KioskCheckIn(r.Context(), *c.Device, c.Actor, in.Code)
	} else {
		t, created, err = h.Counter.CheckIn(r.Context(), c.Actor, in.Code, in.Place)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	WriteJSON(w, status, ticketOut(t))
}

func (h *CounterHandlers) walkIn(w http.ResponseWriter, r *http.Request) {
	c, ok := h.caller(w, r, store.DeviceKiosk)
	if !ok {
		return
	}
	var in struct {
		Place string `json:"place"`
	}
	if err := decodeOptional(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	var t counter.Ticket
	var err error
	if c.Device != nil {
		t, err = h.Counter.KioskWalkIn(r.Context(), *c.Device, c.Actor)
	} else {
		t, err = h.Counter.WalkIn(r.Context(), c.Actor, in.Place)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, ticketOut(t))
}

func (h *CounterHandlers) board(w http.ResponseWriter, r *http.Request) {
	c, ok := h.caller(w, r, store.DeviceDisplay)
	if !ok {
		return
	}
	place := r.PathValue("place")
	if c.Device != nil && c.Device.Place != place {
		WriteError(w, r, apperr.New(apperr.Forbidden, "この端末は別の場所の表示用です。"))
		return
	}
	b, err := h.Counter.Board(r.Context(), place)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, b)
}

type deskFunc func(ctx context.Context, a counter.Actor, place, desk string) (counter.Call, error)

func (h *CounterHandlers) desk(fn deskFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Desk string `json:"desk"`
		}
		if err := decode(w, r, &in); err != nil {
			WriteError(w, r, err)
			return
		}
		p, _ := route.PrincipalOf(r)
		c, err := fn(r.Context(), counter.StaffActor(p, route.MetaOf(r)), r.PathValue("place"), in.Desk)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"ticket": c.Ticket, "desk": c.Desk, "calls": c.Calls})
	}
}

type deviceJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Place     string  `json:"place"`
	CreatedAt string  `json:"created_at"`
	CreatedBy string  `json:"created_by"`
	RevokedAt *string `json:"revoked_at"`
	LastUsed  *string `json:"last_used_at"`
}

func (h *CounterHandlers) deviceOut(d counter.Device) deviceJSON {
	return deviceJSON{ID: d.ID, Name: d.Name, Kind: d.Kind, Place: d.Place, CreatedAt: rfc3339(d.CreatedAt, h.Loc),
		CreatedBy: d.CreatedBy, RevokedAt: optionalTime(d.RevokedAt, h.Loc), LastUsed: optionalTime(d.LastUsedAt, h.Loc)}
}

func (h *CounterHandlers) devices(w http.ResponseWriter, r *http.Request) {
	ds, err := h.Counter.Devices(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := []deviceJSON{}
	for _, d := range ds {
		out = append(out, h.deviceOut(d))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"devices": out})
}

func (h *CounterHandlers) createDevice(w http.ResponseWriter, r *http.Request) {
	var in counter.DeviceInput
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	token, d, err := h.Counter.CreateDevice(r.Context(), counter.StaffActor(p, route.MetaOf(r)), in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"device": h.deviceOut(d), "token": token})
}

func (h *CounterHandlers) revokeDevice(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		WriteError(w, r, apperr.New(apperr.NotFound, "端末が見つかりません。"))
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Counter.RevokeDevice(r.Context(), counter.StaffActor(p, route.MetaOf(r)), id); err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *CounterHandlers) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Counter.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (h *CounterHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	var st counter.Settings
	if err := decode(w, r, &st); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Counter.SaveSettings(r.Context(), counter.StaffActor(p, route.MetaOf(r)), st); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// figures answers the counter's waits of the last days (?days=14, 1–92).
func (h *CounterHandlers) figures(w http.ResponseWriter, r *http.Request) {
	days := 14
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 92 {
			WriteError(w, r, apperr.WithFields("入力内容を確認してください。", []apperr.FieldError{{Field: "days", Message: "1〜92 で指定してください。"}}))
			return
		}
		days = n
	}
	f, err := h.Counter.Figures(r.Context(), days)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, f)
}
