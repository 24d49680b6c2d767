package api

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (h *ImportHandlers) registerLedger(rt *route.Router) {
	rt.Handle("POST /api/v1/imports/ledger", route.Staff, h.importLedger)
}

// importLedger imports the city's Excel card ledger (multipart field
// "file"); ?dry_run=true reports without writing.
func (h *ImportHandlers) importLedger(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	opt := intake.LedgerOptions{DryRun: r.URL.Query().Get("dry_run") == "true", FileName: part.FileName()}
	res, err := h.Intake.ImportLedger(r.Context(), p, route.MetaOf(r), part, opt)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// getLedger answers GET /api/v1/imports/{id} for a ledger import: the
// report with its row outcomes.
func (h *ImportHandlers) getLedger(w http.ResponseWriter, r *http.Request, id int64) {
	res, err := h.Intake.LedgerImport(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}
