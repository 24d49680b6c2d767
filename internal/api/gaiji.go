package api

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

// GaijiHandlers serve the city's 外字 table.
type GaijiHandlers struct {
	Gaiji *gaiji.Service
}

// Register adds the 外字 routes.
func (h *GaijiHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/gaiji", route.AnyStaff, h.list)
	rt.Handle("PUT /api/v1/gaiji", route.Admin, h.put)
	rt.Handle("POST /api/v1/gaiji/import", route.Admin, h.importCSV)
	rt.Handle("DELETE /api/v1/gaiji/{code}", route.Admin, h.delete)
	rt.Handle("GET /api/v1/gaiji/review", route.AnyStaff, h.review)
}

type gaijiJSON struct {
	Code string `json:"code"` // U+E000
	Text string `json:"text"`
	Note string `json:"note"`
}

func (h *GaijiHandlers) list(w http.ResponseWriter, r *http.Request) {
	es, err := h.Gaiji.Entries(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]gaijiJSON, len(es))
	for i, e := range es {
		out[i] = gaijiJSON{Code: gaiji.Code(e.CodePoint), Text: e.Text, Note: e.Note}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"gaiji": out})
}

// put adds or replaces the entries given (others stay).
func (h *GaijiHandlers) put(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Gaiji []gaijiJSON `json:"gaiji"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	entries := make([]gaiji.Entry, 0, len(req.Gaiji))
	for _, g := range req.Gaiji {
		cp, err := gaiji.ParseCode(g.Code)
		if err != nil {
			WriteError(w, r, invalid("code", err.Error()))
			return
		}
		entries = append(entries, gaiji.Entry{CodePoint: cp, Text: g.Text, Note: g.Note})
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Gaiji.Put(r.Context(), p, route.MetaOf(r), entries); err != nil {
		WriteError(w, r, err)
		return
	}
	h.list(w, r)
}

func (h *GaijiHandlers) importCSV(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	n, err := h.Gaiji.LoadCSV(r.Context(), p, route.MetaOf(r), part)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"loaded": n})
}

func (h *GaijiHandlers) review(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	us, err := h.Gaiji.Review(r.Context(), p, route.MetaOf(r))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]map[string]any, len(us))
	for i, u := range us {
		codes := make([]string, len(u.Unmapped))
		for j, cp := range u.Unmapped {
			codes[j] = gaiji.Code(cp)
		}
		out[i] = map[string]any{"card_id": u.Card.ID, "notice_number": u.Card.NoticeNumber, "name": u.Card.Resident.Name,
			"name_shown": u.Shown, "unmapped": codes}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"cards": out})
}

func (h *GaijiHandlers) delete(w http.ResponseWriter, r *http.Request) {
	cp, err := gaiji.ParseCode(r.PathValue("code"))
	if err != nil {
		WriteError(w, r, invalid("code", err.Error()))
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Gaiji.Delete(r.Context(), p, route.MetaOf(r), cp); err != nil {
		WriteError(w, r, err)
		return
	}
	h.list(w, r)
}
