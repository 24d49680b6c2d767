package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerImports(rt *route.Router) {
	rt.Handle("GET /staff/imports", route.AnyStaff, ui.importsPage)
	rt.Handle("POST /staff/imports/preview", route.Staff, ui.importPreview)
	rt.Handle("POST /staff/imports/confirm", route.Staff, ui.importConfirm)
	rt.Handle("GET /staff/imports/{id}", route.AnyStaff, ui.importReport)
	ui.registerLedgerImports(rt)
}

type importsView struct {
	Imports []store.ImportRecord
}

func (ui *UI) importsPage(w http.ResponseWriter, r *http.Request) {
	recs, err := ui.Intake.Imports(r.Context(), 50)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "imports", view{Title: "納品データの取込", Data: importsView{Imports: recs}})
}

// reportView is a preview or a finished import.
type reportView struct {
	Result   intake.Result
	UploadID int64 // set on a preview: the file waiting for confirmation
	Rejected int   // rows rejected (a row may have several problems)
}

func newReport(res intake.Result, uploadID int64) reportView {
	return reportView{Result: res, UploadID: uploadID, Rejected: res.RejectedRows()}
}

func (ui *UI) importPreview(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		var id int64
		var res intake.Result
		id, res, err = ui.Intake.Preview(r.Context(), p, route.MetaOf(r), part.FileName(), part)
		if err == nil {
			ui.render(w, r, http.StatusOK, "import_report", view{Title: "取込内容の確認", Data: newReport(res, id)})
			return
		}
	}
	recs, _ := ui.Intake.Imports(r.Context(), 50)
	ui.render(w, r, statusFor(err), "imports", withError(view{Title: "納品データの取込", Data: importsView{Imports: recs}}, err))
}

// importConfirm imports a previewed file. The page is streamed: progress
// lines appear while a large file is imported, without JavaScript.
func (ui *UI) importConfirm(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PostFormValue("upload"), 10, 64)
	p, _ := route.PrincipalOf(r)
	v := view{Title: "取込の実行", User: &p}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page := ui.pages["import_report"]
	page.ExecuteTemplate(w, "top", v)
	flush(w)
	res, err := ui.Intake.Confirm(r.Context(), p, route.MetaOf(r), id, func(n int) {
		fmt.Fprintf(w, "<p class=\"progress\">%d 行を処理しました…</p>\n", n)
		flush(w)
	})
	if err != nil {
		v = withError(v, err)
		fmt.Fprintf(w, "<p class=\"error\" role=\"alert\">%s</p>", template.HTMLEscapeString(v.Error))
	} else {
		fmt.Fprint(w, `<p class="notice" role="status">取り込みました。</p>`)
		v.Data = newReport(res, 0)
		page.ExecuteTemplate(w, "content", v)
	}
	page.ExecuteTemplate(w, "bottom", v)
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func (ui *UI) importReport(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	_, res, err := ui.Intake.Import(r.Context(), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "import_report", view{Title: "取込の記録", Data: newReport(res, 0)})
}
