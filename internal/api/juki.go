package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

// JukiHandlers serve the resident-register extract and its proposals.
type JukiHandlers struct {
	Juki *juki.Service
}

// Register adds the routes.
func (h *JukiHandlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/imports/residents", route.Staff, h.importExtract)
	rt.Handle("GET /api/v1/residents", route.AnyStaff, h.lookup)
	rt.Handle("GET /api/v1/cancellation-proposals", route.AnyStaff, h.proposals)
	rt.Handle("POST /api/v1/cancellation-proposals/{id}/confirm", route.Staff, h.decide(h.Juki.Confirm))
	rt.Handle("POST /api/v1/cancellation-proposals/{id}/dismiss", route.Staff, h.decide(h.Juki.Dismiss))
}

func (h *JukiHandlers) importExtract(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	res, err := h.Juki.Import(r.Context(), p, route.MetaOf(r), part)
	if err != nil && len(res.Rejected) > 0 {
		WriteJSON(w, Status(apperr.Invalid), map[string]any{"error": map[string]any{"code": apperr.Invalid,
			"message": "読み取れない行があります。", "rejected": res.Rejected}})
		return
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

func (h *JukiHandlers) lookup(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	q := r.URL.Query()
	people, err := h.Juki.Lookup(r.Context(), p, route.MetaOf(r), q.Get("q"), q.Get("birth_date"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]map[string]any, len(people))
	for i, x := range people {
		out[i] = map[string]any{"resident_number": x.ResidentNumber, "name": x.Name, "name_kana": x.NameKana,
			"birth_date": x.BirthDate, "sex": x.Sex, "address": x.Address, "juki_card": x.JukiCard,
			"status": x.Status, "moved_on": x.MovedOn}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"residents": out})
}

func (h *JukiHandlers) proposals(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	ps, err := h.Juki.Proposals(r.Context(), p, route.MetaOf(r))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]map[string]any, len(ps))
	for i, x := range ps {
		out[i] = map[string]any{"id": x.ID, "card_id": x.CardID, "resident_number": x.ResidentNumber, "reason": x.Reason,
			"name": x.Name, "name_kana": x.NameKana, "notice_number": x.NoticeNumber}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"proposals": out})
}

func (h *JukiHandlers) decide(fn func(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		p, _ := route.PrincipalOf(r)
		if err := fn(r.Context(), p, route.MetaOf(r), id); err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
}
