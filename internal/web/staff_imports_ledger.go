package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerLedgerImports(rt *route.Router) {
	rt.Handle("GET /staff/imports/ledger", route.Staff, ui.ledgerImportPage)
	rt.Handle("POST /staff/imports/ledger/preview", route.Staff, ui.ledgerPreview)
	rt.Handle("POST /staff/imports/ledger/confirm", route.Staff, ui.ledgerConfirm)
	rt.Handle("GET /staff/imports/ledger/{id}", route.AnyStaff, ui.ledgerReport)
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
		id, res, err = ui.Intake.PreviewLedger(r.Context(), p, route.MetaOf(r), part.FileName(), part)
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
	res, err := ui.Intake.ConfirmLedger(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.render(w, r, statusFor(err), "ledger_import", withError(view{Title: "カード管理簿（Excel）の取込"}, err))
		return
	}
	notice := "取り込みました。"
	if res.AlreadyImported != nil {
		notice = "このファイルは取り込み済みでした。台帳は変わっていません。"
	}
	ui.render(w, r, http.StatusOK, "ledger_report", view{Title: "カード管理簿の取込結果", Notice: notice, Data: newLedgerReport(res, 0)})
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
