package api

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/route"
)

// ReceptionHandlers serve the 交付受付確認票 of a booking's people.
type ReceptionHandlers struct {
	Reception *reception.Service
	// Paper gives the printed form's municipality name and 外字 table.
	Paper func(context.Context) (reception.Paper, error)
}

// Register adds the routes: viewers may look, staff may record.
func (h *ReceptionHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/bookings/{id}/reception", route.AnyStaff, h.list)
	rt.Handle("POST /api/v1/bookings/{id}/reception", route.Staff, h.confirm)
	rt.Handle("GET /api/v1/bookings/{id}/reception.pdf", route.AnyStaff, h.pdf)
}

func (h *ReceptionHandlers) list(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	byPerson, err := h.Reception.ForBooking(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := []reception.Confirmation{}
	for _, c := range byPerson {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b reception.Confirmation) int { return cmp.Compare(a.PersonID, b.PersonID) })
	WriteJSON(w, http.StatusOK, map[string]any{"confirmations": out})
}

func (h *ReceptionHandlers) confirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PersonID  int64    `json:"person_id"`
		Paper     bool     `json:"paper"`
		Ticks     []string `json:"ticks"`
		Brought   []string `json:"brought"`
		Signature []byte   `json:"signature_png"` // base64
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	c, err := h.Reception.Confirm(r.Context(), p, route.MetaOf(r), id, reception.Request{PersonID: req.PersonID, Paper: req.Paper,
		Ticks: req.Ticks, Brought: req.Brought, Signature: req.Signature})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"confirmation": c})
}

func (h *ReceptionHandlers) pdf(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	personID, _ := strconv.ParseInt(r.URL.Query().Get("person"), 10, 64)
	pp, err := h.Paper(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	var buf bytes.Buffer
	if err := h.Reception.PDF(r.Context(), p, route.MetaOf(r), id, personID, pp, &buf); err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="reception-`+strconv.FormatInt(id, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
