package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/surface"
)

// SurfaceHandlers serve card surface updates (券面更新 / 追記).
type SurfaceHandlers struct {
	Surface *surface.Service
	Loc     *time.Location
}

// Register adds the routes.
func (h *SurfaceHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/surface-updates", route.AnyStaff, h.list)
	rt.Handle("GET /api/v1/cards/{id}/surface-updates", route.AnyStaff, h.forCard)
	rt.Handle("POST /api/v1/cards/{id}/surface-updates", route.Staff, h.register)
	rt.Handle("POST /api/v1/surface-updates/{id}/done", route.Staff, h.done)
	rt.Handle("POST /api/v1/surface-updates/{id}/withdraw", route.Staff, h.withdraw)
}

type surfaceJSON struct {
	ID            int64      `json:"id"`
	CardID        int64      `json:"card_id"`
	Kind          string     `json:"kind"`
	KindLabel     string     `json:"kind_label"`
	OldValue      string     `json:"old_value"`
	NewValue      string     `json:"new_value"`
	OldDetail     string     `json:"old_detail,omitempty"`
	NewDetail     string     `json:"new_detail,omitempty"`
	State         string     `json:"state"`
	StateLabel    string     `json:"state_label"`
	RequestedDate string     `json:"requested_date"`
	DoneDate      string     `json:"done_date,omitempty"`
	Note          string     `json:"note"`
	RegisteredAt  time.Time  `json:"registered_at"`
	Registrar     string     `json:"registrar"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Closer        string     `json:"closer,omitempty"`
}

// surfaceCardJSON is the card a listed update belongs to.
type surfaceCardJSON struct {
	ID           int64    `json:"id"`
	NoticeNumber string   `json:"notice_number"`
	Name         string   `json:"name"`
	NameKana     string   `json:"name_kana"`
	Status       string   `json:"status"`
	Flags        []string `json:"flags"`
}

type surfaceRowJSON struct {
	surfaceJSON
	Card surfaceCardJSON `json:"card"`
}

func (h *SurfaceHandlers) out(u store.SurfaceUpdate) surfaceJSON {
	j := surfaceJSON{ID: u.ID, CardID: u.CardID, Kind: u.Kind, KindLabel: surface.KindLabel(u.Kind),
		OldValue: u.OldValue, NewValue: u.NewValue, OldDetail: u.OldDetail, NewDetail: u.NewDetail, State: u.State, StateLabel: surface.StateLabel(u.State),
		RequestedDate: u.RequestedDate, DoneDate: u.DoneDate, Note: u.Note, RegisteredAt: u.RegisteredAt.In(h.Loc),
		Registrar: u.Registrar, Closer: u.Closer}
	if !u.ClosedAt.IsZero() {
		t := u.ClosedAt.In(h.Loc)
		j.ClosedAt = &t
	}
	return j
}

func cardOfRow(c store.CardRecord) surfaceCardJSON {
	return surfaceCardJSON{ID: c.ID, NoticeNumber: c.NoticeNumber, Name: c.Resident.Name,
		NameKana: c.Resident.NameKana, Status: string(c.Status), Flags: c.Flags}
}

func (h *SurfaceHandlers) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := surface.Query{Kind: v.Get("kind"), State: v.Get("state"), From: v.Get("from"), To: v.Get("to"),
		Staff: v.Get("staff"), Text: v.Get("q")}
	for name, dst := range map[string]*int{"limit": &q.Limit, "offset": &q.Offset} {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				WriteError(w, r, invalid(name, "数字で指定してください。"))
				return
			}
			*dst = n
		}
	}
	p, _ := route.PrincipalOf(r)
	l, err := h.Surface.List(r.Context(), p, route.MetaOf(r), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	rows := make([]surfaceRowJSON, len(l.Rows))
	for i, x := range l.Rows {
		rows[i] = surfaceRowJSON{surfaceJSON: h.out(x.SurfaceUpdate), Card: cardOfRow(x.Card)}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"surface_updates": rows, "total": l.Total, "limit": l.Limit, "offset": l.Offset})
}

func (h *SurfaceHandlers) forCard(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, "カードが見つかりません。")
	var cu surface.CardUpdates
	if err == nil {
		p, _ := route.PrincipalOf(r)
		cu, err = h.Surface.ForCard(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]surfaceJSON, len(cu.Updates))
	for i, u := range cu.Updates {
		out[i] = h.out(u)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"card": cardOfRow(cu.Card), "surface_updates": out})
}

type surfaceRequest struct {
	Kind      string `json:"kind"`
	NewValue  string `json:"new_value"`
	NewDetail string `json:"new_detail"`
	Date      string `json:"date"`
	Pending   bool   `json:"pending"`
	Note      string `json:"note"`
}

func (h *SurfaceHandlers) register(w http.ResponseWriter, r *http.Request) {
	var req surfaceRequest
	id, err := storagePathID(r, "カードが見つかりません。")
	if err == nil {
		err = decode(w, r, &req)
	}
	var u store.SurfaceUpdate
	if err == nil {
		p, _ := route.PrincipalOf(r)
		u, err = h.Surface.Register(r.Context(), p, route.MetaOf(r), id, surface.Input{Kind: req.Kind,
			NewValue: req.NewValue, NewDetail: req.NewDetail, Date: req.Date, Pending: req.Pending, Note: req.Note})
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, h.out(u))
}

func (h *SurfaceHandlers) done(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Date string `json:"date"`
	}
	id, err := storagePathID(r, "券面更新の記録が見つかりません。")
	if err == nil && r.ContentLength != 0 {
		err = decode(w, r, &req)
	}
	var u store.SurfaceUpdate
	if err == nil {
		p, _ := route.PrincipalOf(r)
		u, err = h.Surface.Complete(r.Context(), p, route.MetaOf(r), id, req.Date)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.out(u))
}

func (h *SurfaceHandlers) withdraw(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, "券面更新の記録が見つかりません。")
	var u store.SurfaceUpdate
	if err == nil {
		p, _ := route.PrincipalOf(r)
		u, err = h.Surface.Withdraw(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.out(u))
}
