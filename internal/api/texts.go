package api

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/sitetext"
)

// TextHandlers serves the citizen site's editable texts: admins read and
// change them; the public side reads those in force.
type TextHandlers struct {
	Texts *sitetext.Service
}

// Register adds the admin routes.
func (h *TextHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/settings/texts", route.Admin, h.list)
	rt.Handle("PUT /api/v1/settings/texts/{key}", route.Admin, h.save)
	rt.Handle("DELETE /api/v1/settings/texts/{key}", route.Admin, h.reset)
}

// RegisterPublic adds the public route.
func (h *TextHandlers) RegisterPublic(rt *route.Router) {
	rt.Handle("GET /api/v1/public/texts", route.Public, h.public)
}

func (h *TextHandlers) list(w http.ResponseWriter, r *http.Request) {
	entries, err := h.Texts.List(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"texts": entries})
}

// save changes a text: {"ja": "...", "en": "..."}; a language left out
// keeps its text, "" restores its default.
func (h *TextHandlers) save(w http.ResponseWriter, r *http.Request) {
	var req map[string]string
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	for k := range req {
		if k != "ja" && k != "en" {
			WriteError(w, r, invalid(k, "言語は ja か en で指定してください。"))
			return
		}
	}
	p, _ := route.PrincipalOf(r)
	e, err := h.Texts.Save(r.Context(), p, route.MetaOf(r), r.PathValue("key"), req)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, e)
}

func (h *TextHandlers) reset(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	e, err := h.Texts.Reset(r.Context(), p, route.MetaOf(r), r.PathValue("key"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, e)
}

// public answers the texts in force in one language (?lang=en, default ja).
func (h *TextHandlers) public(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "ja"
	}
	if lang != "ja" && lang != "en" {
		WriteError(w, r, invalid("lang", "言語は ja か en で指定してください。"))
		return
	}
	set, err := h.Texts.Texts(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := map[string]string{}
	for _, d := range sitetext.Defs() {
		out[d.Key], _ = set.Get(d.Key, lang)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"lang": lang, "texts": out})
}
