package web

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerInbox(rt *route.Router) {
	rt.Handle("GET /staff/documents/inbox", route.AnyStaff, ui.inboxPage)
	rt.Handle("POST /staff/documents/inbox", route.Staff, ui.inboxUpload)
	rt.Handle("POST /staff/documents/{id}/file", route.Staff, ui.inboxFile)
}

type inboxView struct {
	Queue   []filing.Document
	Kinds   []document.Kind
	Result  *filing.InboxResult
	CanEdit bool
	Failed  int64 // the page whose filing failed, for its message
}

func (ui *UI) inboxPage(w http.ResponseWriter, r *http.Request) {
	ui.renderInbox(w, r, http.StatusOK, view{Notice: map[string]string{"filed": "カードに登録しました。"}[r.URL.Query().Get("done")]}, inboxView{})
}

func (ui *UI) renderInbox(w http.ResponseWriter, r *http.Request, status int, v view, iv inboxView) {
	p, _ := route.PrincipalOf(r)
	queue, err := ui.documents.ReviewQueue(r.Context(), p, route.MetaOf(r))
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	iv.Queue, iv.Kinds, iv.CanEdit = queue, document.Kinds(), p.Role != "viewer"
	v.Title, v.Data = "スキャナーの取り込み", iv
	ui.render(w, r, status, "document_inbox", v)
}

func (ui *UI) inboxUpload(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	form, err := upload.Stream(w, r, 1<<30+1<<20)
	var res filing.InboxResult
	if err == nil {
		res, err = ui.documents.ScanStack(r.Context(), p, route.MetaOf(r), form.File.FileName(), form.File)
	}
	if err != nil {
		ui.renderInbox(w, r, statusFor(err), withError(view{}, err), inboxView{})
		return
	}
	ui.renderInbox(w, r, http.StatusOK, view{Notice: "取り込みました。"}, inboxView{Result: &res})
}

// inboxFile attaches a page to the card staff chose: by the card's
// number from a search, or by what they scanned or typed.
func (ui *UI) inboxFile(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	cardID, err := ui.documents.FindCard(r.Context(), r.PostFormValue("card"))
	if err == nil {
		err = ui.documents.File(r.Context(), p, route.MetaOf(r), id, cardID, r.PostFormValue("kind"))
	}
	if err != nil {
		ui.renderInbox(w, r, statusFor(err), withError(view{}, err), inboxView{Failed: id})
		return
	}
	http.Redirect(w, r, "/staff/documents/inbox?done=filed", http.StatusSeeOther)
}
