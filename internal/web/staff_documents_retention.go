package web

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
)

func (ui *UI) registerRetention(rt *route.Router) {
	rt.Handle("GET /staff/documents/retention", route.AnyStaff, ui.retentionPage)
	rt.Handle("POST /staff/documents/retention", route.Staff, ui.retentionAction)
	rt.Handle("GET /staff/settings/documents", route.Admin, ui.documentSettingsPage)
	rt.Handle("POST /staff/settings/documents", route.Admin, ui.saveDocumentSettings)
}

type retentionView struct {
	Due     []filing.Due
	CanEdit bool
	IsAdmin bool
}

func (ui *UI) retentionPage(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"proposed": "削除を起案しました。別の職員が確認すると削除されます。", "confirmed": "書類を削除しました。"}[r.URL.Query().Get("done")]
	ui.renderRetention(w, r, http.StatusOK, view{Notice: notice})
}

func (ui *UI) renderRetention(w http.ResponseWriter, r *http.Request, status int, v view) {
	due, err := ui.documents.RetentionDue(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	v.Title, v.Data = "保存年限を過ぎた書類", retentionView{Due: due, CanEdit: p.Role != "viewer", IsAdmin: p.Role == "admin"}
	ui.render(w, r, status, "document_retention", v)
}

func (ui *UI) retentionAction(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	r.ParseForm()
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	var err error
	done := r.PostFormValue("action")
	switch done {
	case "proposed":
		err = ui.documents.ProposeDisposal(r.Context(), p, route.MetaOf(r), ids)
	case "confirmed":
		err = ui.documents.ConfirmDisposal(r.Context(), p, route.MetaOf(r), ids)
	default:
		err = apperr.New(apperr.Invalid, "操作を選んでください。")
	}
	if err != nil {
		ui.renderRetention(w, r, statusFor(err), withError(view{}, err))
		return
	}
	http.Redirect(w, r, "/staff/documents/retention?done="+done, http.StatusSeeOther)
}

type documentSettingsView struct {
	FileMB, DayMB, Pages int64
	Kinds                []retentionKind
}

type retentionKind struct {
	Kind  document.Kind
	Years int
}

func (ui *UI) documentSettingsPage(w http.ResponseWriter, r *http.Request) {
	set, err := ui.documents.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.renderDocumentSettings(w, r, http.StatusOK, view{Notice: map[string]string{"saved": "保存しました。"}[r.URL.Query().Get("done")]}, set)
}

func (ui *UI) renderDocumentSettings(w http.ResponseWriter, r *http.Request, status int, v view, set filing.Settings) {
	l := set.Limits
	sv := documentSettingsView{FileMB: l.MaxFileBytes >> 20, DayMB: l.MaxDayBytes >> 20, Pages: int64(l.MaxPages)}
	for _, k := range document.Kinds() {
		sv.Kinds = append(sv.Kinds, retentionKind{Kind: k, Years: set.Retention[string(k)]})
	}
	v.Title, v.Data = "書類の設定", sv
	ui.render(w, r, status, "document_settings", v)
}

func (ui *UI) saveDocumentSettings(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	set, err := ui.documents.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	num := func(name string) int64 { n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64); return n }
	set.Limits.MaxFileBytes, set.Limits.MaxDayBytes, set.Limits.MaxPages = num("file_mb")<<20, num("day_mb")<<20, int(num("pages"))
	for _, k := range document.Kinds() {
		set.Retention[string(k)] = int(num("years_" + string(k)))
	}
	if err := ui.documents.SaveSettings(r.Context(), p, route.MetaOf(r), set); err != nil {
		ui.renderDocumentSettings(w, r, statusFor(err), withError(view{}, err), set)
		return
	}
	http.Redirect(w, r, "/staff/settings/documents?done=saved", http.StatusSeeOther)
}
