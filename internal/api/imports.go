package api

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

// ImportHandlers serve J-LIS delivery imports.
type ImportHandlers struct {
	Intake *intake.Service
}

// Register adds the import routes.
func (h *ImportHandlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/imports/jlis", route.Staff, h.importJLIS)
	rt.Handle("GET /api/v1/imports", route.AnyStaff, h.list)
	rt.Handle("GET /api/v1/imports/{id}", route.AnyStaff, h.get)
	rt.Handle("GET /api/v1/settings/jlis-profile", route.Admin, h.profile)
	rt.Handle("PUT /api/v1/settings/jlis-profile", route.Admin, h.saveProfile)
	h.registerLedger(rt)
}

func (h *ImportHandlers) importJLIS(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	opt := intake.Options{DryRun: r.URL.Query().Get("dry_run") == "true", FileName: part.FileName()}
	res, err := h.Intake.ImportJLIS(r.Context(), p, route.MetaOf(r), part, opt)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

func (h *ImportHandlers) list(w http.ResponseWriter, r *http.Request) {
	recs, err := h.Intake.Imports(r.Context(), 100)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(recs))
	for _, rec := range recs {
		out = append(out, map[string]any{"id": rec.ID, "kind": rec.Kind, "file_name": rec.FileName, "sha256": rec.SHA256, "actor": rec.Actor,
			"at": rec.StartedAt, "rows": rec.Rows, "created": rec.Created, "updated": rec.Updated,
			"unchanged": rec.Unchanged, "rejected": rec.Rejected})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"imports": out})
}

func (h *ImportHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rec, res, err := h.Intake.Import(r.Context(), id)
	if err == nil && rec.Kind == intake.KindLedger {
		h.getLedger(w, r, id)
		return
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

func (h *ImportHandlers) profile(w http.ResponseWriter, r *http.Request) {
	doc, err := h.Intake.LoadProfile(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, doc)
}

func (h *ImportHandlers) saveProfile(w http.ResponseWriter, r *http.Request) {
	var doc intake.ProfileDoc
	if err := decode(w, r, &doc); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Intake.SaveProfile(r.Context(), p, route.MetaOf(r), doc); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, doc)
}
