package api

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (h *ImportHandlers) registerLedger(rt *route.Router) {
	rt.Handle("POST /api/v1/imports/ledger", route.Staff, h.importLedger)
	rt.Handle("GET /api/v1/imports/jobs/{id}", route.AnyStaff, h.ledgerJob)
}

// importLedger imports the city's Excel card ledger (multipart field
// "file"); ?dry_run=true reports without writing. A large file is
// imported in the background: 202 with the job, whose URL (Location)
// answers its progress and, once done, the report.
func (h *ImportHandlers) importLedger(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	opt := intake.LedgerOptions{DryRun: r.URL.Query().Get("dry_run") == "true", FileName: part.FileName()}
	res, job, err := h.Intake.StartLedger(r.Context(), p, route.MetaOf(r), part, opt)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if job != nil {
		writeJob(w, http.StatusAccepted, job)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// ledgerJob answers GET /api/v1/imports/jobs/{id}: a background ledger
// import's status and progress, and its report once done.
func (h *ImportHandlers) ledgerJob(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	job, err := h.Intake.LedgerJob(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJob(w, http.StatusOK, job)
}

// jobBody is a job with the URL to poll.
type jobBody struct {
	*intake.LedgerJob
	URL string `json:"url"`
}

func writeJob(w http.ResponseWriter, status int, job *intake.LedgerJob) {
	url := "/api/v1/imports/jobs/" + strconv.FormatInt(job.ID, 10)
	if status == http.StatusAccepted {
		w.Header().Set("Location", url)
	}
	WriteJSON(w, status, jobBody{LedgerJob: job, URL: url})
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
