package web

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerInbox(rt *route.Router) {
	rt.Handle("GET /staff/documents/inbox", route.AnyStaff, ui.inboxPage)
	rt.Handle("POST /staff/documents/inbox", route.Staff, ui.inboxUpload)
	rt.Handle("POST /staff/documents/{id}/file", route.Staff, ui.inboxFile)
	rt.Handle("POST /staff/documents/{id}/resume", route.Staff, ui.inboxResume)
	rt.Handle("POST /staff/documents/{id}/discard", route.Admin, ui.inboxDiscard)
}

type inboxView struct {
	Queue       []filing.Document
	Interrupted []filing.Interrupted
	Kinds       []document.Kind
	Result      *filing.InboxResult
	CanEdit     bool
	IsAdmin     bool
	Failed      int64 // the page whose filing failed, for its message
}

var inboxNotices = map[string]string{
	"filed":     "カードに登録しました。",
	"discarded": "中断された取り込みを破棄しました。登録済みのページはそのまま残っています。",
}

func (ui *UI) inboxPage(w http.ResponseWriter, r *http.Request) {
	ui.renderInbox(w, r, http.StatusOK, view{Notice: inboxNotices[r.URL.Query().Get("done")]}, inboxView{})
}

func (ui *UI) renderInbox(w http.ResponseWriter, r *http.Request, status int, v view, iv inboxView) {
	p, _ := route.PrincipalOf(r)
	in, err := ui.documents.Inbox(r.Context(), p, route.MetaOf(r))
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	iv.Queue, iv.Interrupted, iv.Kinds = in.Queue, in.Interrupted, document.Kinds()
	iv.CanEdit, iv.IsAdmin = p.Role != auth.RoleViewer, p.Role == auth.RoleAdmin
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

// inboxResume splits an interrupted stack from where it stopped and shows
// what it gave.
func (ui *UI) inboxResume(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	res, err := ui.documents.Resume(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.renderInbox(w, r, statusFor(err), withError(view{}, err), inboxView{})
		return
	}
	ui.renderInbox(w, r, http.StatusOK, view{Notice: "中断された取り込みを再開し、最後まで取り込みました。"}, inboxView{Result: &res})
}

// inboxDiscard ends an interrupted stack without splitting the rest.
func (ui *UI) inboxDiscard(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	if err := ui.documents.Discard(r.Context(), p, route.MetaOf(r), id, r.PostFormValue("reason")); err != nil {
		ui.renderInbox(w, r, statusFor(err), withError(view{}, err), inboxView{})
		return
	}
	http.Redirect(w, r, "/staff/documents/inbox?done=discarded", http.StatusSeeOther)
}
