package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerLedgerImports(rt *route.Router) {
	rt.Handle("GET /staff/imports/ledger", route.Staff, ui.ledgerImportPage)
	rt.Handle("POST /staff/imports/ledger/preview", route.Staff, ui.ledgerPreview)
	rt.Handle("POST /staff/imports/ledger/confirm", route.Staff, ui.ledgerConfirm)
	rt.Handle("GET /staff/imports/ledger/{id}", route.AnyStaff, ui.ledgerReport)
	rt.Handle("GET /staff/imports/ledger/jobs/{id}", route.AnyStaff, ui.ledgerJob)
}

// ledgerReportView is a preview or a finished ledger import.
type ledgerReportView struct {
	Result   intake.LedgerResult
	UploadID int64 // set on a preview: the file waiting for confirmation
	Rejected int   // rows rejected (a row may have several problems)
	Rows     []ledgerRowView
}

type ledgerRowView struct {
	intake.RowOutcome
	OutcomeLabel string
	StatusLabel  string
	Changes      string
}

func newLedgerReport(res intake.LedgerResult, uploadID int64) ledgerReportView {
	v := ledgerReportView{Result: res, UploadID: uploadID, Rejected: res.RejectedRows()}
	for _, o := range res.Outcomes {
		v.Rows = append(v.Rows, ledgerRowView{RowOutcome: o, OutcomeLabel: intake.OutcomeLabel(o.Outcome),
			StatusLabel: o.Status.Label(), Changes: strings.Join(o.Changes, "、")})
	}
	return v
}

func (ui *UI) ledgerImportPage(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusOK, "ledger_import", view{Title: "カード管理簿（Excel）の取込"})
}

func (ui *UI) ledgerPreview(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		var id int64
		var res intake.LedgerResult
		var job *intake.LedgerJob
		id, res, job, err = ui.Intake.PreviewLedger(r.Context(), p, route.MetaOf(r), part.FileName(), part)
		if err == nil && job != nil {
			http.Redirect(w, r, jobPage(job), http.StatusSeeOther)
			return
		}
		if err == nil {
			ui.render(w, r, http.StatusOK, "ledger_report", view{Title: "カード管理簿の取込内容の確認", Data: newLedgerReport(res, id)})
			return
		}
	}
	ui.render(w, r, statusFor(err), "ledger_import", withError(view{Title: "カード管理簿（Excel）の取込"}, err))
}

func (ui *UI) ledgerConfirm(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PostFormValue("upload"), 10, 64)
	p, _ := route.PrincipalOf(r)
	res, job, err := ui.Intake.ConfirmLedger(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.render(w, r, statusFor(err), "ledger_import", withError(view{Title: "カード管理簿（Excel）の取込"}, err))
		return
	}
	if job != nil {
		http.Redirect(w, r, jobPage(job), http.StatusSeeOther)
		return
	}
	ui.renderLedgerDone(w, r, res)
}

func (ui *UI) renderLedgerDone(w http.ResponseWriter, r *http.Request, res intake.LedgerResult) {
	notice := "取り込みました。"
	if res.AlreadyImported != nil {
		notice = "このファイルは取り込み済みでした。台帳は変わっていません。"
	}
	ui.render(w, r, http.StatusOK, "ledger_report", view{Title: "カード管理簿の取込結果", Notice: notice, Data: newLedgerReport(res, 0)})
}

func jobPage(job *intake.LedgerJob) string {
	return "/staff/imports/ledger/jobs/" + strconv.FormatInt(job.ID, 10)
}

// jobRefresh is how often a running job's page reloads itself (the
// Refresh header: no JavaScript needed).
const jobRefresh = "3"

// ledgerJob shows a background ledger import: its progress while it runs
// (the page reloads itself), then the same report a small file gets at
// once, with the confirmation button after a preview.
func (ui *UI) ledgerJob(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	job, err := ui.Intake.LedgerJob(r.Context(), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	switch job.State {
	case store.JobRunning:
		w.Header().Set("Refresh", jobRefresh)
		ui.render(w, r, http.StatusOK, "ledger_job", view{Title: "カード管理簿の取込中", Data: job})
	case store.JobFailed:
		ui.render(w, r, http.StatusOK, "ledger_job", view{Title: "カード管理簿の取込", Error: job.Error.Message, Data: job})
	case store.JobDone:
		p, _ := route.PrincipalOf(r)
		if !job.DryRun {
			ui.renderLedgerDone(w, r, *job.Result)
			return
		}
		upload := int64(0)
		if job.ActorID == p.UserID { // only who sent the file confirms it
			upload = job.UploadID
		}
		ui.render(w, r, http.StatusOK, "ledger_report", view{Title: "カード管理簿の取込内容の確認", Data: newLedgerReport(*job.Result, upload)})
	}
}

func (ui *UI) ledgerReport(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	res, err := ui.Intake.LedgerImport(r.Context(), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "ledger_report", view{Title: "カード管理簿の取込の記録", Data: newLedgerReport(res, 0)})
}
